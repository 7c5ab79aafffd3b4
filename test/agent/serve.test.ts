import { PassThrough } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { serveAgent } from '../../src/agent/serve.js';

async function exchange(root: string, requests: unknown[]): Promise<Record<string, unknown>[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const served = serveAgent({ root, containerized: false }, input, output);
  for (const request of requests) input.write(typeof request === 'string' ? `${request}\n` : `${JSON.stringify(request)}\n`);
  input.end();
  await served;
  return text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('serveAgent answers each request on its own line, in order', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'agent-'));
  const [hello, lock, again] = await exchange(root, [
    { id: 1, method: 'hello', params: {} },
    { id: 2, method: 'lock', params: { runId: '20261203-120000-abcd', command: 'test', host: 'm1' } },
    { id: 3, method: 'lock', params: { runId: '20261203-130000-ef01', command: 'test', host: 'm2' } },
  ]);
  await rm(root, { recursive: true });
  assert.is(hello!.id, 1);
  assert.type((hello!.result as { pid: number }).pid, 'number');
  assert.equal(lock!.result, { acquired: true });
  const error = again!.error as { message: string; errorClass: string; exitCode: number; operator: boolean };
  assert.is(error.errorClass, 'PreflightError');
  assert.is(error.exitCode, 3);
  assert.match(error.message, /20261203-120000-abcd/);
});

test('serveAgent turns unknown methods and bad JSON into errors, not crashes', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'agent-'));
  const answers = await exchange(root, ['not json', { id: 7, method: 'format-disk', params: {} }]);
  await rm(root, { recursive: true });
  assert.match((answers[0]!.error as { message: string }).message, /not JSON/);
  assert.is(answers[1]!.id, 7);
  assert.match((answers[1]!.error as { message: string }).message, /unknown method format-disk/);
});

test.run();
