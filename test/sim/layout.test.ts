import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validityWindow } from './certs.js';
import { describeMaster, mapToHost } from './layout.js';
import { natTableName, renderNatRuleset } from './nft.js';
import { mergeAccounts } from './users.js';

const layout = suite('simulation layout');

layout('describeMaster numbers masters from 127.0.0.11 with ACK member names', () => {
  const m = describeMaster('/sim/c1', 2);
  assert.equal(
    [m.ip, m.name, m.hostname, m.dir, m.etcdUid],
    ['127.0.0.12', '127.0.0.12-name-2', 'master-2', '/sim/c1/m2', 41002],
  );
});

layout('mapToHost moves bound paths under the master and leaves others alone', () => {
  assert.is(mapToHost('/sim/m1', '/var/lib/etcd/cert/ca.pem'), '/sim/m1/var/lib/etcd/cert/ca.pem');
  assert.is(mapToHost('/sim/m1', '/etc/passwd'), '/sim/m1/etc/passwd');
  assert.is(mapToHost('/sim/m1', '/var/lib/etcd-rotate/journal'), '/sim/m1/var/lib/etcd-rotate/journal');
  assert.is(mapToHost('/sim/m1', '/var/lib/etcdx'), '/var/lib/etcdx');
  assert.is(mapToHost('/sim/m1', '/usr/bin/etcd'), '/usr/bin/etcd');
  assert.throws(() => mapToHost('/sim/m1', 'relative/path'), /absolute/);
});

layout('renderNatRuleset rewrites each etcd uid\'s peer traffic to its master\'s address', () => {
  const text = renderNatRuleset(natTableName('c-1'), [describeMaster('/s', 1), describeMaster('/s', 2)]);
  assert.match(text, 'table ip etcd_rotate_sim_c_1 {');
  assert.match(text, 'meta skuid 41001 tcp dport 2380 snat to 127.0.0.11');
  assert.match(text, 'meta skuid 41002 tcp dport 2380 snat to 127.0.0.12');
});

layout('mergeAccounts replaces an account and appends missing ones', () => {
  const text = 'root:x:0:0::/root:/bin/bash\netcd:x:102:105::/var/lib/etcd/:/usr/sbin/nologin\n';
  const etcd = 'etcd:x:41001:41001::/var/lib/etcd:/usr/sbin/nologin';
  const sshd = 'sshd:x:74:65534::/run/sshd:/usr/sbin/nologin';
  const out = mergeAccounts(text, [etcd, sshd], () => false);
  assert.is(out, `root:x:0:0::/root:/bin/bash\n${etcd}\n${sshd}\n`);
});

layout('validityWindow makes expired windows end yesterday', () => {
  const now = new Date('2030-01-10T00:00:00Z');
  assert.is(validityWindow(10, true, now).notAfter.toISOString(), '2030-01-09T00:00:00.000Z');
  assert.is(validityWindow(10, false, now).notAfter.toISOString(), '2030-01-20T00:00:00.000Z');
});

layout.run();
