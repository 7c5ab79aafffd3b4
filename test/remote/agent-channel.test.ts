/** The coordinator's end of the JSON-lines protocol, over in-memory streams. */
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunFailedError } from '../../src/errors.js';
import { AgentChannel } from '../../src/remote/agent-channel.js';

const channel = suite('AgentChannel');

/** A channel to "m1" whose agent side the test writes to, and the requests it sent. */
function open(maxLineChars?: number) {
  const fromAgent = new PassThrough();
  // Paused on purpose, as the callback socket is after its handshake: the channel must resume it.
  fromAgent.pause();
  const toAgent = new PassThrough();
  const sent: { id: number; method: string }[] = [];
  toAgent.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) sent.push(JSON.parse(line));
  });
  return { channel: new AgentChannel('m1', fromAgent, toAgent, maxLineChars), fromAgent, sent };
}

channel('an answer split anywhere, a multi-byte character across two chunks and a CRLF ending still resolve its call', async () => {
  const { channel: c, fromAgent, sent } = open();
  const call = c.call('inspect', { root: '/' } as never);
  await new Promise((resolve) => setImmediate(resolve));
  const bytes = Buffer.from(`${JSON.stringify({ id: sent[0]!.id, result: { hostname: 'mäster-1' } })}\r\n`);
  const cut = bytes.indexOf(Buffer.from('ä')) + 1; // inside the two bytes of "ä"
  fromAgent.write(bytes.subarray(0, cut));
  fromAgent.write(bytes.subarray(cut));
  assert.equal(await call, { hostname: 'mäster-1' });
});

channel('answers come back to their own calls, in any order, and other lines are ignored', async () => {
  const { channel: c, fromAgent, sent } = open();
  const first = c.call('inspect', {} as never);
  const second = c.call('inspect', {} as never);
  await new Promise((resolve) => setImmediate(resolve));
  fromAgent.write('not json\n');
  fromAgent.write(`${JSON.stringify({ id: sent[1]!.id, result: 'two' })}\n${JSON.stringify({ id: sent[0]!.id, result: 'one' })}\n`);
  assert.equal(await Promise.all([first, second]), ['one', 'two']);
});

channel('a line longer than the bound ends the channel: the call in flight and every later one fail, naming the host', async () => {
  const { channel: c, fromAgent } = open(1024);
  const call = c.call('inspect', {} as never).catch((e: unknown) => e);
  fromAgent.write('{"id":1,"result":"');
  fromAgent.write('x'.repeat(2048));
  const error = await call;
  assert.instance(error, RunFailedError);
  assert.match((error as Error).message, /^the agent on m1 sent an answer longer than 1024 characters; its channel was closed$/);
  const later = await c.call('inspect', {} as never).catch((e: unknown) => e);
  assert.is(later, error);
  fromAgent.write('"}\n'); // the rest of the long line is dropped, not parsed
});

channel.run();
