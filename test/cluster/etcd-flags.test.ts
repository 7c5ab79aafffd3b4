import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { readEtcdFlags } from '../../src/cluster/etcd-flags.js';
import { thrown } from './helpers.js';

const readEtcdFlagsSuite = suite('readEtcdFlags combines the command line and ETCD_* variables');

readEtcdFlagsSuite('knows etcd boolean flags, so a file flag after one keeps its value', () => {
  const flags = readEtcdFlags(
    ['--client-cert-auth', '--trusted-ca-file', 'ca.pem', '--peer-client-cert-auth=true'],
    {},
    'etcd unit /x',
  );
  assert.equal(flags, {
    'client-cert-auth': 'true',
    'trusted-ca-file': 'ca.pem',
    'peer-client-cert-auth': 'true',
  });
});

readEtcdFlagsSuite('fills flags missing from the command line from ETCD_* variables', () => {
  const env = {
    ETCD_NAME: 'from-env',
    ETCD_INITIAL_CLUSTER: 'a=https://1.1.1.1:2380',
    ETCD_CLIENT_CERT_AUTH: 'TRUE',
    ETCD_UNSUPPORTED_ARCH: 'arm',
    GOMAXPROCS: '4',
  };
  const flags = readEtcdFlags(['--name', 'from-flag'], env, 'etcd unit /x');
  assert.equal(flags, {
    name: 'from-flag',
    'initial-cluster': 'a=https://1.1.1.1:2380',
    'client-cert-auth': 'true',
  });
});

readEtcdFlagsSuite('refuses a boolean ETCD_* variable that is not a boolean', () => {
  const error = thrown(() => readEtcdFlags([], { ETCD_PEER_AUTO_TLS: 'on' }, 'etcd unit /x'));
  assert.instance(error, InputError);
  assert.match(error.message, /--peer-auto-tls in etcd unit \/x \(environment ETCD_PEER_AUTO_TLS\) is "on"/);
});

readEtcdFlagsSuite('refuses --config-file, whose settings it does not read', () => {
  const error = thrown(() => readEtcdFlags(['--config-file=/etc/etcd/etcd.yml'], {}, 'etcd unit /x'));
  assert.instance(error, InputError);
  assert.match(error.message, /--config-file \/etc\/etcd\/etcd.yml, which etcd-rotate does not support/);
});

readEtcdFlagsSuite.run();
