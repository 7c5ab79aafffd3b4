import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { readEtcdUnit } from '../../src/cluster/unit.js';
import { makeRoot, rejection, removeRoot, type Entry } from './helpers.js';

const readEtcdUnitSuite = suite('readEtcdUnit reads how systemd starts etcd');

const roots: string[] = [];
async function root(layout: Record<string, Entry>): Promise<string> {
  const made = await makeRoot(layout);
  roots.push(made);
  return made;
}
readEtcdUnitSuite.after(async () => {
  await Promise.all(roots.map(removeRoot));
});

readEtcdUnitSuite('reads the ACK unit with its continuations and comments', async () => {
  const launch = await readEtcdUnit(
    await root({ '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' } }),
  );

  assert.equal(launch?.source, {
    kind: 'systemd',
    unitPath: '/usr/lib/systemd/system/etcd.service',
    unitName: 'etcd.service',
  });
  assert.is(launch?.program, '/usr/bin/etcd');
  assert.equal(launch?.args.slice(0, 5), [
    '--data-dir=data.etcd',
    '--name',
    '192.168.0.180-name-1',
    '--client-cert-auth',
    '--trusted-ca-file=/var/lib/etcd/cert/ca.pem',
  ]);
  assert.is(launch?.args.length, 29);
  assert.is(launch?.user, 'etcd');
  assert.is(launch?.workingDirectory, '/var/lib/etcd/');
});

readEtcdUnitSuite('prefers /etc/systemd/system over /usr/lib and /lib, as systemd does', async () => {
  const launch = await readEtcdUnit(
    await root({
      '/lib/systemd/system/etcd.service': '[Service]\nExecStart=/lib/etcd\n',
      '/usr/lib/systemd/system/etcd.service': '[Service]\nExecStart=/usr/lib/etcd\n',
      '/etc/systemd/system/etcd.service': '[Service]\nExecStart=/etc/etcd\n',
    }),
  );
  assert.is(launch?.program, '/etc/etcd');
  assert.is(launch?.description, `etcd unit ${roots.at(-1)}/etc/systemd/system/etcd.service`);
});

readEtcdUnitSuite('applies drop-ins from every directory, sorted, /etc hiding same names', async () => {
  const launch = await readEtcdUnit(
    await root({
      '/etc/systemd/system/etcd.service': { fixture: 'dropin-etcd.service' },
      '/etc/systemd/system/etcd.service.d/10-cluster.conf': { fixture: 'dropin-10-cluster.conf' },
      '/usr/lib/systemd/system/etcd.service.d/10-cluster.conf': {
        fixture: 'dropin-10-cluster-vendor.conf',
      },
      '/usr/lib/systemd/system/etcd.service.d/20-limits.conf': { fixture: 'dropin-20-limits.conf' },
      '/usr/lib/systemd/system/etcd.service.d/README': 'not a drop-in',
    }),
  );

  assert.is(launch?.program, '/usr/local/bin/etcd');
  assert.equal(launch?.args.slice(0, 4), ['-name', '10.0.1.12-name-2', '-data-dir', '/var/lib/etcd/data.etcd']);
  assert.equal(launch?.env, { GOMAXPROCS: '4' });
  assert.match(launch?.description ?? '', /\(with .*\/etc\/systemd\/system\/etcd.service.d\/10-cluster.conf, .*\/usr\/lib\/systemd\/system\/etcd.service.d\/20-limits.conf\)$/);
});

readEtcdUnitSuite('builds the environment from Environment= then EnvironmentFile=', async () => {
  const launch = await readEtcdUnit(
    await root({
      '/lib/systemd/system/etcd.service': [
        '[Service]',
        'Environment="A=from unit" B=1',
        'Environment=',
        'Environment=C=kept D=overridden',
        'EnvironmentFile=-/etc/default/missing',
        'EnvironmentFile=/etc/etcd/etcd.conf',
        'ExecStart=/usr/bin/etcd --name=${C} $ARGS',
      ].join('\n'),
      '/etc/etcd/etcd.conf': 'D=from-file\nARGS="--x=1 --y=2"\n',
    }),
  );
  assert.equal(launch?.env, { C: 'kept', D: 'from-file', ARGS: '--x=1 --y=2' });
  assert.equal(launch?.args, ['--name=kept', '--x=1', '--y=2']);
});

readEtcdUnitSuite('returns undefined for no unit and for a masked one', async () => {
  assert.is(await readEtcdUnit(await root({ '/etc/hostname': 'm1\n' })), undefined);
  const masked = {
    '/etc/systemd/system/etcd.service': { symlink: '/dev/null' },
    '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' },
  };
  assert.is(await readEtcdUnit(await root(masked)), undefined);
  const empty = { '/etc/systemd/system/etcd.service': '' };
  assert.is(await readEtcdUnit(await root(empty)), undefined);
});

const errors: Array<[string, string, RegExp]> = [
  [
    'refuses two ExecStart= lines',
    '[Service]\nExecStart=/usr/bin/etcd --name a\nExecStart=/usr/bin/etcd --name b\n',
    /etcd unit .*\/lib\/systemd\/system\/etcd.service has 2 ExecStart= lines/,
  ],
  [
    'refuses an ExecStart= it cannot split, naming the line',
    '[Service]\nUser=etcd\nExecStart=/usr/bin/etcd --name "a\n',
    /cannot read ExecStart= of .*\/lib\/systemd\/system\/etcd.service line 3: unterminated " quote/,
  ],
  [
    'refuses a required EnvironmentFile= that does not exist',
    '[Service]\nEnvironmentFile=/etc/etcd/etcd.conf\nExecStart=/usr/bin/etcd\n',
    /environment file .*\/etc\/etcd\/etcd.conf named in .*etcd.service line 2 does not exist/,
  ],
  [
    'refuses a relative EnvironmentFile=',
    '[Service]\nEnvironmentFile=etcd.conf\nExecStart=/usr/bin/etcd\n',
    /EnvironmentFile=etcd.conf in .*etcd.service line 2 is not an absolute path/,
  ],
];

for (const [name, unit, pattern] of errors) {
  readEtcdUnitSuite(name, async () => {
    const error = await rejection(readEtcdUnit(await root({ '/lib/systemd/system/etcd.service': unit })));
    assert.instance(error, InputError);
    assert.match(error.message, pattern);
  });
}

readEtcdUnitSuite.run();
