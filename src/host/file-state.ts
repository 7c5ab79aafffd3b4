/**
 * What a host file is right now: whether it exists, where its links lead, its owner, mode,
 * size and the SHA-256 of its content. Backups record it; rotation compares it.
 */

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';

import { InputError } from '../errors.js';
import { describeFailure, errnoOf } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';

interface FileStateBase {
  /** The host path asked about. */
  path: string;
  /** Whether `path` itself is a symbolic link. */
  isSymlink: boolean;
  /** The link's target as written in the link, when `path` is a link. */
  linkTarget: string | undefined;
  /** The host path of the file after following every link (equal to `path` without links). */
  realPath: string;
}

/** A host path with nothing behind it (a dangling link counts as nothing). */
export interface AbsentFileState extends FileStateBase {
  exists: false;
}

/** A regular file on the host. */
export interface PresentFileState extends FileStateBase {
  exists: true;
  /** Permission bits, with setuid, setgid and sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** SHA-256 of the content, lower-case hex. */
  sha256: string;
}

/** The state of a host path; narrow on `exists`. */
export type FileState = AbsentFileState | PresentFileState;

/** Reads the state of the host file `absolutePath` under `root`; see `readFileWithContent`. */
export async function readFileState(root: string, absolutePath: string): Promise<FileState> {
  return (await readFileWithContent(root, absolutePath)).state;
}

/**
 * Reads the state and the content of the host file `absolutePath` under `root` through one
 * open file, so that the checksum, size and owner belong to the same bytes. Links are
 * followed inside the root. Anything but a regular file, or a file that cannot be read, is an
 * InputError naming the path.
 */
export async function readFileWithContent(
  root: string,
  absolutePath: string,
): Promise<{ state: FileState; content: Buffer | undefined }> {
  try {
    const link = await linkOf(root, absolutePath);
    const realPath = await resolveHostPath(root, absolutePath);
    const base = { path: absolutePath, ...link, realPath };

    const handle = await open(hostPath(root, realPath), constants.O_RDONLY).catch(absent);
    if (handle === undefined) return { state: { ...base, exists: false }, content: undefined };
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      }
      const content = await handle.readFile();
      const sha256 = createHash('sha256').update(content).digest('hex');
      const { uid, gid } = stats;
      const state = { ...base, exists: true as const, mode: stats.mode & 0o7777, uid, gid };
      return { state: { ...state, size: content.length, sha256 }, content };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const { reason, remedy } = describeFailure(error);
    throw new InputError(`could not read ${describeHostPath(root, absolutePath)}: ${reason}`, {
      remedy,
      cause: error,
    });
  }
}

async function linkOf(
  root: string,
  absolutePath: string,
): Promise<{ isSymlink: boolean; linkTarget: string | undefined }> {
  const last = hostPath(root, await resolveHostPath(root, absolutePath, { followLast: false }));
  const stats = await lstat(last).catch(absent);
  if (stats === undefined || !stats.isSymbolicLink()) {
    return { isSymlink: false, linkTarget: undefined };
  }
  return { isSymlink: true, linkTarget: await readlink(last) };
}

function absent(error: unknown): undefined {
  if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined;
  throw error;
}
