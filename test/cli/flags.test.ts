import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';

// Each of these must stop before anything is read or changed: flags are checked first.
const cases: [string[], RegExp][] = [
  [['rotate', '--bogus'], /unknown flag --bogus for "etcd-rotate rotate"/],
  [['rotate', '--validity', '50x'], /validity/i],
  [['rotate', '--validity', '0y'], /validity/i],
  [['rotate', '--ssh-port', '0'], /--ssh-port takes a whole number from 1 to 65535/],
  [['rotate', '--ssh-option', 'ForwardAgent=yes'], /--ssh-option ForwardAgent=yes is not allowed/],
  [['rotate', '--ssh-option', 'nonsense'], /--ssh-option takes Name=value/],
  [['rollback', '--from-backup'], /--from-backup of "etcd-rotate rollback" needs a value/],
  [['rotate', '--root'], /--root .* needs a value/],
  [['check', '--output', 'xml'], /--output takes one of table, json, prometheus/],
  [['check', '--warn-days=-3'], /--warn-days takes a whole number/],
  [['check', '--warn-days', '-3'], /unknown flag -3/],
  [['check', 'extra'], /unexpected argument "extra"/],
  [['frobnicate'], /unknown command "frobnicate"/],
];

for (const [argv, message] of cases) {
  test(`etcd-rotate ${argv.join(' ')} exits 2 with one line`, async () => {
    const result = await runCli(argv);
    assert.is(result.code, 2, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.is(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^etcd-rotate: /);
    assert.match(lines[0]!, message);
    assert.is(result.stdout, '');
  });
}

test('every command answers --help with exit 0', async () => {
  for (const command of ['rotate', 'check', 'rollback', 'backups', 'discover']) {
    const result = await runCli([command, '--help']);
    assert.is(result.code, 0, command);
    assert.match(result.stdout, new RegExp(`Usage: etcd-rotate ${command}`));
  }
});

test.run();
