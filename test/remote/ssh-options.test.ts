import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/errors.js';
import { buildSshArgv, DEFAULT_SSH_OPTIONS } from '../../src/remote/ssh-options.js';

const argv = (options: Partial<typeof DEFAULT_SSH_OPTIONS> = {}) =>
  buildSshArgv('10.0.0.2', 'etcd-rotate agent --root /', { ...DEFAULT_SSH_OPTIONS, ...options });

test('buildSshArgv checks host keys, runs in batch mode and forwards nothing', () => {
  const words = argv().join(' ');
  for (const option of ['BatchMode=yes', 'StrictHostKeyChecking=yes', 'ForwardAgent=no', 'ForwardX11=no', 'ClearAllForwardings=yes']) {
    assert.ok(words.includes(`-o ${option}`), option);
  }
  assert.equal(argv().slice(-3), ['10.0.0.2', '--', 'etcd-rotate agent --root /']);
});

test('buildSshArgv passes user, port, identity and extra options', () => {
  const words = argv({ user: 'admin', port: 2222, identity: '/root/.ssh/rotate', options: ['StrictHostKeyChecking=accept-new'] });
  assert.ok(words.includes('-l') && words[words.indexOf('-l') + 1] === 'admin');
  assert.ok(words[words.indexOf('-p') + 1] === '2222');
  assert.ok(words[words.indexOf('-i') + 1] === '/root/.ssh/rotate');
  assert.ok(words.includes('StrictHostKeyChecking=accept-new'));
  assert.not.ok(words.includes('StrictHostKeyChecking=yes'), 'the operator chose to accept new host keys');
});

test('buildSshArgv refuses options that would reopen the channel', () => {
  for (const option of ['ForwardAgent=yes', 'batchmode=no', 'nonsense']) {
    assert.throws(() => argv({ options: [option] }), (error: unknown) => error instanceof UsageError);
  }
});

test.run();
