import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectToCoordinator } from '../../src/agent/callback.js';
import { serveAgent } from '../../src/agent/serve.js';
import { PreflightError } from '../../src/errors.js';
import { startCallbackListener, type CallbackListener } from '../../src/remote/cloud-assistant/listener.js';
import { CallbackSession } from '../../src/remote/cloud-assistant/session.js';

const PEER = { name: 'master-2', ip: '127.0.0.2' };
const HOST = { root: '/nonexistent-root', containerized: false };

const test = suite<{ listener: CallbackListener; refused: string[] }>('the Cloud Assistant callback listener');

test.before.each(async (ctx) => {
  ctx.refused = [];
  ctx.listener = await startCallbackListener('127.0.0.1', 0, (line) => ctx.refused.push(line));
});

test.after.each(async (ctx) => {
  await ctx.listener.close();
});

test('accepts the agent with its token from its own address and runs the agent protocol on the connection', async ({ listener }) => {
  const expectation = listener.expect(PEER);
  const agentSide = await connectToCoordinator({ url: listener.url, fingerprint: listener.fingerprint, token: expectation.token, bindAddress: PEER.ip });
  const served = serveAgent(HOST, agentSide, agentSide);
  const session = new CallbackSession(PEER.name, 'i-peer', await expectation.connected, async () => '');
  const hello = await session.call('hello', {});
  assert.is(hello.pid, process.pid);
  await session.close();
  await served;
});

test('takes each token once', async ({ listener, refused }) => {
  const expectation = listener.expect(PEER);
  const first = await connectToCoordinator({ url: listener.url, fingerprint: listener.fingerprint, token: expectation.token, bindAddress: PEER.ip });
  const again = await connectToCoordinator({ url: listener.url, fingerprint: listener.fingerprint, token: expectation.token, bindAddress: PEER.ip }).catch((e: unknown) => e);
  assert.instance(again, PreflightError);
  assert.match((again as Error).message, /refused this agent: .*unknown or already used token/);
  assert.is(refused.length, 1);
  first.destroy();
});

test('refuses the token from another address and fails that peer with where it came from', async ({ listener }) => {
  const expectation = listener.expect(PEER);
  const other = await connectToCoordinator({ url: listener.url, fingerprint: listener.fingerprint, token: expectation.token, bindAddress: '127.0.0.3' }).catch((e: unknown) => e);
  assert.instance(other, PreflightError);
  const failure = await expectation.connected.catch((e: unknown) => e);
  assert.instance(failure, PreflightError);
  assert.match((failure as Error).message, /master-2's token came from 127\.0\.0\.3, not from 127\.0\.0\.2/);
});

test('the agent refuses a listener whose certificate is not the pinned one, before sending the token', async ({ listener, refused }) => {
  const expectation = listener.expect(PEER);
  const wrong = `sha256:${'0'.repeat(64)}`;
  const error = await connectToCoordinator({ url: listener.url, fingerprint: wrong, token: expectation.token, bindAddress: PEER.ip }).catch((e: unknown) => e);
  assert.instance(error, PreflightError);
  assert.match((error as Error).message, /is not this run's coordinator/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(refused.every((line) => !line.includes('token')), 'the token was never presented');
});

test.run();
