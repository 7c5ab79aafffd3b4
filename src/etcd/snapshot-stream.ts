/**
 * Receiving etcd's snapshot stream: chunks of the database, then one last
 * message holding the SHA-256 of everything before it, which is checked here.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { OperatorError } from '../errors.js';
import { deadline } from './connection.js';
import { describeEtcdFailure, EtcdCallError, formatSeconds } from './failure.js';

/** What the stream delivered. */
export interface ReceivedSnapshot {
  sizeBytes: number;
  /** SHA-256 of every byte received, including etcd's trailing digest (hex). */
  sha256: string;
  revision?: number;
}

/** Limits for one snapshot stream. */
export interface StreamLimits {
  timeoutMs: number;
  idleTimeoutMs: number;
}

type SnapshotStream = Readable & { cancel(): void };

const DIGEST_BYTES = 32;

/**
 * Streams a snapshot from `client`'s one endpoint into `write`, chunk by
 * chunk (each write awaited, so a slow disk slows the stream). Errors that
 * `write` throws as `OperatorError`s pass through unchanged.
 */
export async function receiveSnapshot(
  client: Etcd3,
  endpoint: string,
  limits: StreamLimits,
  write: (chunk: Buffer) => Promise<unknown>,
): Promise<ReceivedSnapshot> {
  const fileHash = createHash('sha256');
  const dbHash = createHash('sha256');
  let last: ISnapshotResponse | undefined;
  let sizeBytes = 0;
  let revision: number | undefined;
  let stream: SnapshotStream | undefined;
  let stalled = false;
  let idleTimer = setTimeout(onIdle, limits.idleTimeoutMs);
  function onIdle(): void {
    stalled = true;
    stream?.cancel();
  }

  try {
    stream = asSnapshotStream(await client.maintenance.snapshot(deadline(limits.timeoutMs)));
    for await (const message of stream as AsyncIterable<ISnapshotResponse>) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(onIdle, limits.idleTimeoutMs);
      // etcd 3.5 puts the revision in the first header; 3.4 sends none ("0").
      if (revision === undefined && Number(message.header?.revision) > 0) {
        revision = Number(message.header.revision);
      }
      if (last !== undefined) dbHash.update(last.blob);
      last = message;
      fileHash.update(message.blob);
      await write(message.blob);
      sizeBytes += message.blob.length;
    }
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    throw stalled
      ? new EtcdCallError(
          `etcd at ${endpoint} sent no snapshot data for ${formatSeconds(limits.idleTimeoutMs)}`,
          endpoint, 'timeout', { cause: error },
        )
      : describeEtcdFailure(error, endpoint, 'streaming a snapshot', limits.timeoutMs);
  } finally {
    clearTimeout(idleTimer);
  }

  checkDigest(endpoint, last, dbHash.digest(), sizeBytes);
  return { sizeBytes, sha256: fileHash.digest('hex'), revision };
}

function checkDigest(
  endpoint: string,
  last: ISnapshotResponse | undefined,
  expected: Buffer,
  sizeBytes: number,
): void {
  const digest = last?.blob;
  if (last?.remaining_bytes === '0' && digest?.length === DIGEST_BYTES && digest.equals(expected)) {
    return;
  }
  const problem = digest?.length === DIGEST_BYTES ? 'its digest does not match' : 'no digest';
  throw new EtcdCallError(
    `etcd at ${endpoint} sent an incomplete or corrupt snapshot (${sizeBytes} bytes, ${problem})`,
    endpoint, 'failed',
    { remedy: 'take the snapshot again, from another member if this one keeps failing' },
  );
}

function asSnapshotStream(stream: unknown): SnapshotStream {
  if (stream instanceof Readable && 'cancel' in stream && typeof stream.cancel === 'function') {
    return stream as SnapshotStream;
  }
  throw new TypeError('etcd3 returned a snapshot stream that is not a cancellable Readable');
}
