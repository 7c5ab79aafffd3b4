/**
 * The container records shared by the kubelet stand-in and crictl: one JSON file per container
 * in `<state-dir>/containers/<id>.json`, replaced atomically (write, then rename) so a reader
 * never sees half a record.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './proc.mjs';

/** Where crictl looks when CRICTL_STATE_DIR is not set; also the kubelet's default. */
export const DEFAULT_STATE_DIR = '/run/sim/kubelet';

/** containerd's exit code for a container whose status was lost (reason "Unknown"). */
export const UNKNOWN_EXIT_CODE = 255;

/** The folder holding the records. */
export function containersDir(stateDir) {
  return join(stateDir, 'containers');
}

/** Every record in the state dir, oldest first; unreadable files are skipped. */
export function listRecords(stateDir) {
  let names;
  try {
    names = readdirSync(containersDir(stateDir));
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  const records = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const record = readRecord(stateDir, name.slice(0, -'.json'.length));
    if (record !== undefined) records.push(record);
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The record of container `id`, or undefined when there is none. */
export function readRecord(stateDir, id) {
  try {
    return JSON.parse(readFileSync(join(containersDir(stateDir), `${id}.json`), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Writes `record` atomically. */
export function writeRecord(stateDir, record) {
  const dir = containersDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${record.id}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, join(dir, `${record.id}.json`));
}

/** Deletes the record of container `id`. */
export function removeRecord(stateDir, id) {
  rmSync(join(containersDir(stateDir), `${id}.json`), { force: true });
}

/** Whether the record says running and its process is still that live process. */
export function isRunning(record) {
  return record.state === 'running' && isProcessAlive(record.pid, record.pidStartTime);
}

/**
 * Marks a running record exited, unless someone already did. `exitCode` undefined means the
 * caller did not see the exit status (it was not the parent): containerd reports 255 "Unknown".
 */
export function markExited(stateDir, id, exitCode, reason) {
  const current = readRecord(stateDir, id);
  if (current === undefined) return undefined;
  if (current.state === 'exited' && exitCode === undefined) return current;
  const known = exitCode !== undefined;
  const next = {
    ...current,
    state: 'exited',
    finishedAt: current.state === 'exited' ? current.finishedAt : new Date().toISOString(),
    exitCode: known ? exitCode : UNKNOWN_EXIT_CODE,
    reason: known ? reason ?? exitReason(exitCode) : 'Unknown',
  };
  writeRecord(stateDir, next);
  return next;
}

/** containerd's reasons: Completed for 0, Error otherwise (OOMKilled is not simulated). */
export function exitReason(exitCode) {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/**
 * Finds the one record whose id starts with `prefix`, as containerd accepts truncated ids.
 * Returns `{ record }` or `{ error }` with containerd's wording.
 */
export function resolveContainer(stateDir, prefix) {
  const matches = listRecords(stateDir).filter((r) => prefix !== '' && r.id.startsWith(prefix));
  if (matches.length === 1) return { record: matches[0] };
  const what = matches.length === 0 ? 'not found' : 'multiple IDs found with provided prefix';
  return {
    error: `rpc error: code = NotFound desc = an error occurred when try to find container ` +
      `"${prefix}": ${what}`,
  };
}
