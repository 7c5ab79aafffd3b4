/**
 * Finding a systemd unit and its drop-ins on the host, in systemd's order of precedence.
 */

import path from 'node:path';

import { listHostDirectory, readHostFile, readHostLink } from './host-file.js';
import { parseUnitFile, type UnitAssignment } from './unit-syntax.js';

/**
 * Directories systemd loads system units from, highest precedence first. `/lib/systemd/system`
 * is the same directory as `/usr/lib/systemd/system` on merged-/usr hosts and a separate one
 * on older ones.
 */
export const UNIT_DIRECTORIES: readonly string[] = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];

/** One file of a unit, with its assignments. */
export interface UnitFile {
  /** The host path (without the root prefix). */
  path: string;
  assignments: UnitAssignment[];
}

/** A unit file and the drop-ins that apply to it, in the order systemd applies them. */
export interface LoadedUnit {
  unit: UnitFile;
  dropIns: UnitFile[];
}

/**
 * Loads the unit `unitName` ("etcd.service") under `root`: the file in the first directory of
 * UNIT_DIRECTORIES that has it, then every `<unitName>.d/*.conf` drop-in from all of them,
 * sorted by file name, a drop-in in a higher directory hiding one of the same name in a lower
 * one. Returns `undefined` when no directory has the unit or when it is masked (a link to
 * /dev/null or an empty file), as systemd would not start it then.
 */
export async function loadUnit(root: string, unitName: string): Promise<LoadedUnit | undefined> {
  const unit = await findUnitFile(root, unitName);
  if (unit === undefined) return undefined;

  const dropInPaths = new Map<string, string>();
  for (const directory of UNIT_DIRECTORIES) {
    const dropInDirectory = path.posix.join(directory, `${unitName}.d`);
    const names = await listHostDirectory(root, dropInDirectory, 'drop-in directory');
    for (const name of names) {
      if (!name.endsWith('.conf') || dropInPaths.has(name)) continue;
      dropInPaths.set(name, path.posix.join(dropInDirectory, name));
    }
  }

  const dropIns: UnitFile[] = [];
  for (const name of [...dropInPaths.keys()].sort()) {
    const dropInPath = dropInPaths.get(name) as string;
    const text = await readHostFile(root, dropInPath, 'drop-in');
    if (text !== undefined) dropIns.push({ path: dropInPath, assignments: parseUnitFile(text) });
  }
  return { unit, dropIns };
}

async function findUnitFile(root: string, unitName: string): Promise<UnitFile | undefined> {
  for (const directory of UNIT_DIRECTORIES) {
    const unitPath = path.posix.join(directory, unitName);
    const what = 'unit file';
    if ((await readHostLink(root, unitPath, what)) === '/dev/null') return undefined;

    const text = await readHostFile(root, unitPath, what);
    if (text === undefined) continue;
    if (text === '') return undefined;
    return { path: unitPath, assignments: parseUnitFile(text) };
  }
  return undefined;
}
