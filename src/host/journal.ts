/**
 * The journal of a run: /var/lib/etcd-rotate/runs/<run-id>/journal.jsonl (0600, in a 0700
 * folder), one JSON event per line, appended and synced before the step it records is taken
 * as done. `rotate --resume` and `rollback` read it to learn where a run stopped.
 *
 * A run killed in the middle of an append leaves a last line without its newline. That line
 * was never acknowledged, so reading skips it and the next append cuts it off first.
 */

import { constants } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import path from 'node:path';

import { InputError, RunFailedError } from '../errors.js';
import { ensureDirectory, syncDirectory } from './directories.js';
import { describeFailure, errnoOf } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';
import { runHostDir } from './state-dir.js';

/** The name of the journal in a run folder. */
export const JOURNAL_NAME = 'journal.jsonl';

/** Anything a run records: a `kind` and the data that goes with it. */
export interface JournalEvent {
  kind: string;
  [key: string]: unknown;
}

/** An event as stored, with the ISO 8601 time it was appended. */
export type JournalRecord<E extends JournalEvent = JournalEvent> = E & { time: string };

/** A journal as read back. */
export interface Journal<E extends JournalEvent = JournalEvent> {
  events: JournalRecord<E>[];
  /** The unfinished last line, when the run was killed while appending; else undefined. */
  tornTail: string | undefined;
}

const APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * The last append to each journal file of this process. Appends to one file wait for each
 * other: one that cut a torn tail while another was being written could cut that line too.
 */
const appending = new Map<string, Promise<unknown>>();

/**
 * Appends `event` with the current time to the journal of `runId` and syncs it to disk before
 * resolving. Creates the run folder and the journal when missing.
 */
export async function appendJournal<E extends JournalEvent>(
  root: string,
  runId: string,
  event: E,
): Promise<JournalRecord<E>> {
  const record = { ...event, time: new Date().toISOString() };
  const directory = hostPath(root, await ensureDirectory(root, runHostDir(runId)));
  const file = `${directory}/${JOURNAL_NAME}`;
  const previous = appending.get(file) ?? Promise.resolve();
  const appended = previous.catch(() => undefined).then(() => writeRecord(root, runId, file, record));
  appending.set(file, appended);
  try {
    await appended;
  } finally {
    if (appending.get(file) === appended) appending.delete(file);
  }
  return record;
}

async function writeRecord(root: string, runId: string, file: string, record: JournalRecord): Promise<void> {
  const directory = path.posix.dirname(file);
  try {
    const handle = await open(file, APPEND, 0o600);
    try {
      const { size } = await handle.stat();
      await cutTornTail(handle, size);
      await handle.write(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(directory);
  } catch (error) {
    const { reason, remedy } = describeFailure(error);
    const where = describeHostPath(root, `${runHostDir(runId)}/${JOURNAL_NAME}`);
    throw new RunFailedError(`could not append "${record.kind}" to the journal ${where}: ${reason}`, {
      remedy,
      cause: error,
    });
  }
}

/**
 * Reads the journal of `runId`, skipping an unfinished last line. A journal that does not
 * exist reads as empty; a malformed line before the last is an InputError naming its number.
 */
export async function readJournal<E extends JournalEvent = JournalEvent>(
  root: string,
  runId: string,
): Promise<Journal<E>> {
  const hostFile = `${runHostDir(runId)}/${JOURNAL_NAME}`;
  const where = describeHostPath(root, hostFile);
  let text: string;
  try {
    text = await readFile(hostPath(root, await resolveHostPath(root, hostFile)), 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { events: [], tornTail: undefined };
    const { reason, remedy } = describeFailure(error);
    throw new InputError(`could not read the journal ${where}: ${reason}`, {
      remedy,
      cause: error,
    });
  }

  const lines = text.split('\n');
  const last = lines.pop() as string;
  const events = lines.map((line, index) => parseLine<E>(line, index + 1, where));
  return { events, tornTail: last === '' ? undefined : last };
}

function parseLine<E extends JournalEvent>(
  line: string,
  number: number,
  where: string,
): JournalRecord<E> {
  try {
    const value = JSON.parse(line) as JournalRecord<E> | null;
    if (typeof value?.kind === 'string' && typeof value.time === 'string') return value;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  throw new InputError(`line ${number} of the journal ${where} is not a journal event`, {
    remedy: 'the journal was changed by hand or the disk is damaged; fix or restore that line',
  });
}

/** Cuts an unfinished last line (no newline at the end) off the journal open in `handle`. */
async function cutTornTail(handle: FileHandle, size: number): Promise<void> {
  if (size === 0) return;
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
  if (buffer[0] === 0x0a) return;

  const content = await handle.readFile();
  await handle.truncate(content.lastIndexOf(0x0a) + 1);
}
