/**
 * How the local etcd member is started, as read from its unit or manifest, before its flags
 * are interpreted. Both sources (systemd, static pod) produce one of these.
 */

import { InputError } from '../errors.js';
import type { EtcdSource } from './types.js';

/** The command, environment and directory the local etcd member is started with. */
export interface EtcdLaunch {
  source: EtcdSource;
  /** Names the unit or manifest in messages, as opened (with the root prefix). */
  description: string;
  /** The executable, when the source names it (a static pod may leave it to the image). */
  program?: string;
  /** The arguments after the program name. */
  args: string[];
  /** The environment etcd sees (only what the unit or manifest sets). */
  env: Record<string, string>;
  user?: string;
  /** The working directory as configured; relative flag paths resolve against it. */
  workingDirectory?: string;
}

/** Programs that would hide etcd's flags inside one string argument. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

/**
 * Throws InputError when etcd is started through a shell (`/bin/bash -c "etcd ..."`).
 *
 * NB. Reading the flags back out of a shell script would mean interpreting the shell; such a
 * unit is refused with the remedy instead.
 */
export function assertRunsEtcdDirectly(launch: EtcdLaunch): void {
  const name = launch.program?.split('/').pop() ?? '';
  if (!SHELLS.has(name)) return;
  throw new InputError(
    `${launch.description} starts etcd through ${launch.program}, and etcd-rotate cannot read flags out of a shell command`,
    { remedy: 'start etcd directly (program and flags as separate words), then run again' },
  );
}
