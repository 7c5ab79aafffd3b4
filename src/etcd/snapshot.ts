/**
 * A backup of one member's database through Maintenance.Snapshot, written to
 * a private temporary file that is renamed into place only once complete.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, messageOf } from '../errors.js';
import { checkEndpoint, withEtcdClient, type EtcdTls } from './connection.js';
import { receiveSnapshot } from './snapshot-stream.js';
import { memberStatus } from './status.js';

/** How long a snapshot may take. */
export interface SnapshotOptions {
  /** The whole transfer; default 10 minutes (ACK allows an 8 GB database). */
  timeoutMs?: number;
  /** The longest pause between two chunks, and before the first; default 10 s. */
  idleTimeoutMs?: number;
  /**
   * Room the snapshot must leave free in its directory: when the member's
   * database (its status's dbSize) would leave less, nothing is written.
   */
  keepFreeBytes?: number;
}

/** The snapshot file written. */
export interface SnapshotFile {
  endpoint: string;
  path: string;
  sizeBytes: number;
  /** SHA-256 of the file as written (hex), as `sha256sum` prints it. */
  sha256: string;
  /** The store revision of the snapshot; etcd 3.4 does not send it (undefined). */
  revision?: number;
  tookMs: number;
}

/**
 * Streams a snapshot of the member at `endpoint` to `destinationPath`: mode
 * 0600, written to a temporary file in the same directory, checked against
 * the digest etcd appends, fsynced, then renamed over the destination. The
 * file keeps etcd's digest at its end, as `etcdctl snapshot save` does, so
 * `etcdctl snapshot restore` can check it.
 *
 * @throws EtcdCallError when etcd fails, stalls or sends a corrupt stream;
 *   InputError when the file cannot be written, or would leave less than
 *   `keepFreeBytes` free. No partial file is left.
 */
export async function snapshot(
  endpoint: string,
  tls: EtcdTls,
  destinationPath: string,
  options: SnapshotOptions = {},
): Promise<SnapshotFile> {
  checkEndpoint(endpoint);
  const limits = {
    timeoutMs: options.timeoutMs ?? 600_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
  };
  const started = performance.now();
  const directory = dirname(destinationPath);
  const suffix = randomBytes(4).toString('hex');
  const partPath = join(directory, `.${basename(destinationPath)}.${suffix}.part`);
  const fileStep = <T>(step: () => Promise<T>): Promise<T> => writeStep(destinationPath, step);
  if (options.keepFreeBytes !== undefined) await checkRoom(endpoint, tls, directory, options.keepFreeBytes);

  const file = await fileStep(() => open(partPath, 'wx', 0o600));
  try {
    const received = await withEtcdClient(endpoint, tls, (client) =>
      receiveSnapshot(client, endpoint, limits, (chunk) => fileStep(() => file.write(chunk))),
    );

    await fileStep(async () => {
      await file.chmod(0o600);
      await file.sync();
      await file.close();
      await rename(partPath, destinationPath);
      await syncDirectory(directory);
    });
    const tookMs = Math.round(performance.now() - started);
    return { endpoint, path: destinationPath, ...received, tookMs };
  } catch (error) {
    // The first error is the one to report; cleaning up is best effort.
    await file.close().catch(() => undefined);
    await rm(partPath, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Refuses a snapshot whose database would leave less than `keep` bytes free in `directory`. */
async function checkRoom(endpoint: string, tls: EtcdTls, directory: string, keep: number): Promise<void> {
  const { dbSize } = await memberStatus(endpoint, tls);
  const fs = await writeStep(directory, () => statfs(directory));
  const free = fs.bavail * fs.bsize;
  if (dbSize + keep <= free) return;
  throw new InputError(
    `no room for the etcd snapshot in ${directory}: the database is ${mib(dbSize)} and ${mib(free)} is free, ` +
      `which would leave less than the ${mib(keep)} kept free`,
    { remedy: `free space there, or save a snapshot elsewhere with "etcdctl snapshot save"` },
  );
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

async function writeStep<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new InputError(`cannot write the etcd snapshot ${path}: ${messageOf(error)}`, {
      remedy: 'check that the directory exists, is writable and has room for the database',
      cause: error,
    });
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
