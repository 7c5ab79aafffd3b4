import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { EtcdCallError } from '../../src/etcd/index.js';
import { receiveSnapshot } from '../../src/etcd/snapshot-stream.js';

const receive = suite('receiveSnapshot');
const ENDPOINT = 'https://10.0.0.1:2379';
const LIMITS = { timeoutMs: 5_000, idleTimeoutMs: 200 };

/** A client whose snapshot stream is `stream`; nothing else is called. */
function fakeClient(stream: Readable): Etcd3 {
  const cancellable = Object.assign(stream, { cancel: () => stream.destroy(new Error('1 CANCELLED')) });
  return { maintenance: { snapshot: async () => cancellable } } as unknown as Etcd3;
}

function message(blob: Buffer, remaining: number): ISnapshotResponse {
  const header = { cluster_id: '1', member_id: '2', revision: '0', raft_term: '3' };
  return { header, remaining_bytes: String(remaining), blob };
}

/** The messages etcd sends for `db`: 4-byte chunks, then the digest. */
function etcdMessages(db: Buffer): ISnapshotResponse[] {
  const chunks = [];
  for (let at = 0; at < db.length; at += 4) {
    chunks.push(message(db.subarray(at, at + 4), Math.max(0, db.length - at - 4)));
  }
  return [...chunks, message(createHash('sha256').update(db).digest(), 0)];
}

receive('writes every chunk and the digest, and returns the hash of all of it', async () => {
  const db = Buffer.from('a small database');
  const written: Buffer[] = [];

  const received = await receiveSnapshot(
    fakeClient(Readable.from(etcdMessages(db))), ENDPOINT, LIMITS,
    async (chunk) => written.push(chunk),
  );

  const file = Buffer.concat(written);
  assert.is(file.length, db.length + 32);
  assert.is(received.sizeBytes, file.length);
  assert.is(received.sha256, createHash('sha256').update(file).digest('hex'));
  assert.is(received.revision, undefined);
});

receive('refuses a stream whose digest does not match', async () => {
  const messages = etcdMessages(Buffer.from('the real database'));
  messages[0] = message(Buffer.from('XXXX'), 13);

  const error = await receiveSnapshot(fakeClient(Readable.from(messages)), ENDPOINT, LIMITS, async () => 0)
    .catch((e: unknown) => e);

  assert.instance(error, EtcdCallError);
  assert.match((error as Error).message, /incomplete or corrupt snapshot \(49 bytes, its digest does not match\)/);
});

receive('refuses a stream that ends before the digest', async () => {
  const messages = etcdMessages(Buffer.from('cut short')).slice(0, 2);

  const error = await receiveSnapshot(fakeClient(Readable.from(messages)), ENDPOINT, LIMITS, async () => 0)
    .catch((e: unknown) => e);

  assert.match((error as Error).message, /incomplete or corrupt snapshot \(8 bytes, no digest\)/);
});

receive('gives up on a stream that stops sending', async () => {
  const silent = new Readable({ objectMode: true, read() {} });
  const started = performance.now();

  const error = await receiveSnapshot(fakeClient(silent), ENDPOINT, LIMITS, async () => 0)
    .catch((e: unknown) => e);

  assert.instance(error, EtcdCallError);
  assert.is((error as EtcdCallError).kind, 'timeout');
  assert.is((error as Error).message, `etcd at ${ENDPOINT} sent no snapshot data for 0.2 s`);
  assert.ok(performance.now() - started < 1_000);
});

receive('passes a write failure through unchanged', async () => {
  const failure = new InputError('disk full');

  const error = await receiveSnapshot(
    fakeClient(Readable.from(etcdMessages(Buffer.from('data')))), ENDPOINT, LIMITS,
    async () => { throw failure; },
  ).catch((e: unknown) => e);

  assert.is(error, failure);
});

receive.run();
