import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from '../../src/cli/args.js';
import { RUN_FLAGS } from '../../src/cli/run-options.js';
import { parseListen, transportFromFlags } from '../../src/cli/transport-options.js';
import { UsageError } from '../../src/errors.js';
import { agentScript } from '../../src/remote/cloud-assistant/script.js';

const COMMON = { peerCommand: 'etcd-rotate', root: '/', ssh: { user: 'root', options: [] }, log: () => undefined };

const flags = suite('the transport flags');

flags('parseListen takes an address, a port, or both', () => {
  assert.equal(parseListen(undefined), { port: 0 });
  assert.equal(parseListen('10.0.0.5'), { address: '10.0.0.5', port: 0 });
  assert.equal(parseListen('10.0.0.5:7443'), { address: '10.0.0.5', port: 7443 });
  assert.equal(parseListen(':7443'), { port: 7443 });
  assert.equal(parseListen('[fd00::5]:7443'), { address: 'fd00::5', port: 7443 });
  assert.throws(() => parseListen('10.0.0.5:99999'), (e: unknown) => e instanceof UsageError);
});

flags('refuse combinations that cannot work, before anything is read', () => {
  const cases = [
    ['--transport', 'telnet'],
    ['--transport', 'cloud-assistant', '--discover', 'local'],
    ['--region', 'cn-hangzhou'],
    ['--transport', 'cloud-assistant', '--callback-timeout', '0'],
  ];
  for (const argv of cases) {
    const args = parseArgs('rotate', argv, RUN_FLAGS);
    assert.throws(() => transportFromFlags(args, COMMON as never), (e: unknown) => e instanceof UsageError, argv.join(' '));
  }
});

flags.run();

const script = suite('agentScript');

script('holds where to call back and the token on stdin, never in the agent\'s argv', () => {
  const text = agentScript({
    peerCommand: 'node /opt/etcd-rotate/cli.js',
    remoteRoot: '/',
    url: 'https://10.0.0.1:40000',
    fingerprint: `sha256:${'ab'.repeat(32)}`,
    bindAddress: '10.0.0.2',
    token: 'tok-123',
  });
  const [command] = text.split('\n').filter((l) => l.startsWith('exec '));
  assert.is(command, `exec node /opt/etcd-rotate/cli.js agent --root / --connect 'https://10.0.0.1:40000' --fingerprint sha256:${'ab'.repeat(32)} --bind 10.0.0.2 <<'ETCD_ROTATE_TOKEN'`);
  assert.match(text, /\ntok-123\nETCD_ROTATE_TOKEN\n$/);
});

script.run();
