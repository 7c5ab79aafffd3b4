/**
 * The manifest of a backup: which host files it holds, with the owner, mode, size and
 * checksum each had, so a restore can put back exactly what was there and refuse a damaged
 * copy. Written last, so a backup without a manifest is one that did not finish.
 */

import { InputError } from '../errors.js';

/** One host file in a backup. */
export interface BackupEntry {
  /** The host path the caller asked to back up. */
  path: string;
  /** The host path of the file itself after following links; a restore writes here. */
  realPath: string;
  /** The target written in the link when `path` was a symbolic link, else null. */
  linkTarget: string | null;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256: string;
  /** Where the copy lives, relative to the backup directory ("files/etc/kubernetes/..."). */
  archive: string;
}

/** A file the caller handed over as content (for example a state dump). */
export interface BackupExtraEntry {
  name: string;
  size: number;
  sha256: string;
}

/** The manifest.json of one backup. */
export interface BackupManifest {
  version: 1;
  runId: string;
  /** ISO 8601 time the backup was completed. */
  createdAt: string;
  files: BackupEntry[];
  /** Host paths asked for that did not exist; a rollback may remove what the run created. */
  absent: string[];
  extras: BackupExtraEntry[];
}

/** The name of the manifest in a backup directory. */
export const MANIFEST_NAME = 'manifest.json';

/**
 * Parses the manifest text read from `where`, throwing an InputError that names it when the
 * text is not a manifest this version wrote.
 */
export function parseManifest(text: string, where: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw damaged(where, 'it is not valid JSON', error);
  }

  const manifest = value as Partial<BackupManifest> | null;
  if (manifest === null || typeof manifest !== 'object' || manifest.version !== 1) {
    throw damaged(where, 'it is not a version 1 manifest');
  }
  if (!Array.isArray(manifest.files) || !manifest.files.every(isEntry)) {
    throw damaged(where, 'its "files" list is malformed');
  }
  if (typeof manifest.runId !== 'string' || typeof manifest.createdAt !== 'string') {
    throw damaged(where, 'it lacks "runId" or "createdAt"');
  }
  return {
    ...(manifest as BackupManifest),
    absent: Array.isArray(manifest.absent) ? manifest.absent : [],
    extras: Array.isArray(manifest.extras) ? manifest.extras : [],
  };
}

function isEntry(value: unknown): value is BackupEntry {
  const entry = value as Record<string, unknown>;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    ['path', 'realPath', 'sha256', 'archive'].every((key) => typeof entry[key] === 'string') &&
    ['mode', 'uid', 'gid', 'size'].every((key) => Number.isInteger(entry[key])) &&
    !String(entry['archive']).split('/').includes('..')
  );
}

function damaged(where: string, reason: string, cause?: unknown): InputError {
  return new InputError(`the backup manifest ${where} is damaged: ${reason}`, {
    remedy: 'restore the files by hand from another copy; nothing was changed',
    cause,
  });
}
