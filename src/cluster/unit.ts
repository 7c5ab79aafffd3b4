/**
 * The etcd systemd unit: which command, environment, user and working directory systemd starts
 * etcd with, after applying drop-ins the way systemd does.
 */

import path from 'node:path';

import { InputError } from '../errors.js';
import { parseEnvironmentAssignments, parseEnvironmentFile } from './environment-file.js';
import { parseExecStart, type ExecCommand } from './exec-command.js';
import { readHostFile } from './host-file.js';
import { hostPath } from './host-path.js';
import type { EtcdLaunch } from './launch.js';
import { loadUnit, type LoadedUnit, type UnitFile } from './unit-files.js';
import { UnitSyntaxError } from './unit-words.js';

/** The name of the unit that runs etcd. */
export const ETCD_UNIT_NAME = 'etcd.service';

/** A setting's value and where it was written. */
interface Located {
  value: string;
  file: string;
  line: number;
}

/** The [Service] settings discovery reads, after drop-ins. */
interface ServiceSettings {
  execStart: Located[];
  environment: Located[];
  environmentFiles: Located[];
  user?: string;
  workingDirectory?: string;
}

/**
 * Reads how systemd starts etcd under `root`, or `undefined` when there is no etcd unit (or it
 * is masked). Throws InputError when the unit has no single ExecStart=, when ExecStart= cannot
 * be parsed, or when a required EnvironmentFile= is missing.
 */
export async function readEtcdUnit(root: string): Promise<EtcdLaunch | undefined> {
  const loaded = await loadUnit(root, ETCD_UNIT_NAME);
  if (loaded === undefined) return undefined;

  const description = describeUnit(root, loaded);
  const settings = collectServiceSettings([loaded.unit, ...loaded.dropIns]);
  const execStart = settings.execStart;
  if (execStart.length !== 1) throw execStartCountError(description, execStart.length);

  const env = await readUnitEnvironment(root, settings);
  const command = parseUnitExecStart(root, execStart[0] as Located, env);

  return {
    source: { kind: 'systemd', unitPath: loaded.unit.path, unitName: ETCD_UNIT_NAME },
    description,
    program: command.path,
    args: command.args,
    env,
    user: settings.user,
    workingDirectory: settings.workingDirectory,
  };
}

/**
 * Applies the unit and its drop-ins in order. An empty assignment resets a list setting
 * (ExecStart=, Environment=, EnvironmentFile=) or clears a single one, as in systemd.
 */
function collectServiceSettings(files: UnitFile[]): ServiceSettings {
  const settings: ServiceSettings = { execStart: [], environment: [], environmentFiles: [] };
  const lists = {
    ExecStart: 'execStart',
    Environment: 'environment',
    EnvironmentFile: 'environmentFiles',
  } as const;

  for (const file of files) {
    for (const { section, key, value, line } of file.assignments) {
      if (section !== 'Service') continue;
      if (key in lists) {
        const list = lists[key as keyof typeof lists];
        settings[list] = value === '' ? [] : [...settings[list], { value, file: file.path, line }];
      } else if (key === 'User') {
        settings.user = value === '' ? undefined : value;
      } else if (key === 'WorkingDirectory') {
        // A leading "-" only tells systemd not to fail when the directory is missing.
        settings.workingDirectory = value === '' ? undefined : value.replace(/^-/, '');
      }
    }
  }
  return settings;
}

/** Environment= assignments first, then EnvironmentFile= files, which override them. */
async function readUnitEnvironment(
  root: string,
  settings: ServiceSettings,
): Promise<Record<string, string>> {
  let env: Record<string, string> = {};
  for (const { value } of settings.environment) {
    env = { ...env, ...parseEnvironmentAssignments(value) };
  }

  for (const { value, file, line } of settings.environmentFiles) {
    const optional = value.startsWith('-');
    const filePath = optional ? value.slice(1) : value;
    const where = `${hostPath(root, file)} line ${line}`;
    if (!path.posix.isAbsolute(filePath)) {
      throw new InputError(`EnvironmentFile=${value} in ${where} is not an absolute path`, {
        remedy: 'systemd ignores such a file: make the path absolute, then run again',
      });
    }

    const text = await readHostFile(root, filePath, 'environment file');
    if (text === undefined && !optional) {
      throw new InputError(
        `environment file ${hostPath(root, filePath)} named in ${where} does not exist`,
        { remedy: 'systemd would not start etcd without it: restore the file, then run again' },
      );
    }
    env = { ...env, ...parseEnvironmentFile(text ?? '') };
  }
  return env;
}

function parseUnitExecStart(
  root: string,
  line: Located,
  env: Record<string, string>,
): ExecCommand {
  try {
    return parseExecStart(line.value, ETCD_UNIT_NAME, env);
  } catch (error) {
    if (!(error instanceof UnitSyntaxError)) throw error;
    throw new InputError(
      `cannot read ExecStart= of ${hostPath(root, line.file)} line ${line.line}: ${error.message}`,
      { remedy: 'fix the line so that systemd accepts it (systemd-analyze verify), then run again' },
    );
  }
}

function describeUnit(root: string, loaded: LoadedUnit): string {
  const unit = `etcd unit ${hostPath(root, loaded.unit.path)}`;
  if (loaded.dropIns.length === 0) return unit;
  return `${unit} (with ${loaded.dropIns.map((dropIn) => hostPath(root, dropIn.path)).join(', ')})`;
}

function execStartCountError(description: string, count: number): InputError {
  if (count === 0) {
    return new InputError(`${description} has no ExecStart= in its [Service] section`, {
      remedy:
        'check that this is the unit that starts etcd (systemctl cat etcd) and that it has an ExecStart= line',
    });
  }
  return new InputError(
    `${description} has ${count} ExecStart= lines, which systemd refuses for a long-running service`,
    { remedy: 'put an empty "ExecStart=" before the new line in the drop-in, then run again' },
  );
}
