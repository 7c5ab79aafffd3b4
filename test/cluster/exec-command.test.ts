import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { expandEnvironment, parseExecStart } from '../../src/cluster/exec-command.js';
import { UnitSyntaxError } from '../../src/cluster/unit-words.js';

const parseExecStartSuite = suite('parseExecStart returns the command systemd would run');

const env = { ETCD_NAME: 'm1', ARGS: '--a=1  --b=2', EMPTY: '' };

const cases: Array<[string, string, { path: string; args: string[]; prefixes: string }]> = [
  ['reads a plain command', '/usr/bin/etcd --name m1', { path: '/usr/bin/etcd', args: ['--name', 'm1'], prefixes: '' }],
  ['strips a "-" prefix', '-/usr/bin/etcd --x', { path: '/usr/bin/etcd', args: ['--x'], prefixes: '-' }],
  ['strips combined "+" and "!" prefixes', '+!/usr/bin/etcd', { path: '/usr/bin/etcd', args: [], prefixes: '+!' }],
  ['drops the argv[0] word after "@"', '@/usr/bin/etcd etcd-main --x', { path: '/usr/bin/etcd', args: ['--x'], prefixes: '@' }],
  ['keeps "$" text after ":"', ':/usr/bin/etcd ${ETCD_NAME}', { path: '/usr/bin/etcd', args: ['${ETCD_NAME}'], prefixes: ':' }],
  ['replaces ${VAR} inside a word', '/usr/bin/etcd --name=${ETCD_NAME}', { path: '/usr/bin/etcd', args: ['--name=m1'], prefixes: '' }],
  ['splits $VAR used as a whole word', '/usr/bin/etcd $ARGS', { path: '/usr/bin/etcd', args: ['--a=1', '--b=2'], prefixes: '' }],
  ['drops a whole-word $VAR that is empty', '/usr/bin/etcd $EMPTY $UNSET', { path: '/usr/bin/etcd', args: [], prefixes: '' }],
  ['treats names of Object members as unset', '/usr/bin/etcd $constructor x${toString}', { path: '/usr/bin/etcd', args: ['x'], prefixes: '' }],
  ['expands the %n, %p and %S specifiers', '/usr/bin/etcd --data-dir=%S/%p --x=%n %%', { path: '/usr/bin/etcd', args: ['--data-dir=/var/lib/etcd', '--x=etcd.service', '%'], prefixes: '' }],
];

for (const [name, value, expected] of cases) {
  parseExecStartSuite(name, () => {
    assert.equal(parseExecStart(value, 'etcd.service', env), expected);
  });
}

parseExecStartSuite('refuses a specifier that depends on the host', () => {
  assert.throws(
    () => parseExecStart('/usr/bin/etcd --name %H', 'etcd.service', env),
    (error: unknown) => error instanceof UnitSyntaxError && /%H/.test(error.message),
  );
});

parseExecStartSuite('refuses a line that names no executable', () => {
  assert.throws(
    () => parseExecStart('-', 'etcd.service', env),
    (error: unknown) => error instanceof UnitSyntaxError,
  );
});

parseExecStartSuite.run();

const expandEnvironmentSuite = suite('expandEnvironment substitutes as systemd does');

expandEnvironmentSuite('turns "$$" into "$" and keeps ${VAR} values with spaces as one word', () => {
  assert.equal(expandEnvironment(['$$HOME', 'x${ARGS}y'], env), ['$HOME', 'x--a=1  --b=2y']);
});

expandEnvironmentSuite.run();
