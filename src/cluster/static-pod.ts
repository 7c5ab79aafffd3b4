/**
 * Static pod manifests in /etc/kubernetes/manifests: the command, arguments and environment of
 * one container, as the kubelet would start it.
 */

import { parseDocument } from 'yaml';

import { InputError } from '../errors.js';
import { readHostFile } from './host-file.js';
import { hostPath } from './host-path.js';
import { getOwn, setOwn } from './records.js';

/** The directory the kubelet runs static pods from on kubeadm-based masters. */
export const MANIFEST_DIRECTORY = '/etc/kubernetes/manifests';

/** What discovery reads from a static pod's container. */
export interface PodContainer {
  /** command then args, with `$(VAR)` references to the container's env expanded. */
  argv: string[];
  /** Variables with a literal `value`; those set through `valueFrom` are left out. */
  env: Record<string, string>;
  workingDir?: string;
}

/**
 * Reads the container named `containerName` (or else the first container) of the static pod
 * manifest `manifestPath` under `root`. Returns `undefined` when the manifest does not exist;
 * throws InputError when it is not YAML or not a pod with containers.
 */
export async function readStaticPodContainer(
  root: string,
  manifestPath: string,
  containerName: string,
): Promise<PodContainer | undefined> {
  const shownPath = hostPath(root, manifestPath);
  const text = await readHostFile(root, manifestPath, `${containerName} manifest`);
  if (text === undefined) return undefined;

  const document = parseDocument(text);
  const [syntaxError] = document.errors;
  if (syntaxError) {
    throw new InputError(
      `malformed YAML in ${containerName} manifest ${shownPath}: ${firstLine(syntaxError.message)}`,
      {
        remedy: 'the kubelet cannot run it either: fix it or restore it from a backup, then run again',
        cause: syntaxError,
      },
    );
  }

  const containers = (document.toJS() as { spec?: { containers?: unknown } } | null)?.spec
    ?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw notAPod(shownPath, containerName, 'it has no spec.containers');
  }
  const container = (containers.find((entry) => entry?.name === containerName) ??
    containers[0]) as Record<string, unknown>;

  const env = readEnv(container.env);
  const argv = [
    ...stringList(container.command, 'command', shownPath, containerName),
    ...stringList(container.args, 'args', shownPath, containerName),
  ].map((word) => expandVariables(word, env));
  const workingDir = typeof container.workingDir === 'string' ? container.workingDir : undefined;
  return workingDir === undefined ? { argv, env } : { argv, env, workingDir };
}

/**
 * Expands `$(NAME)` the way the kubelet does in command and args: a defined variable is
 * replaced, an undefined reference is kept as written, and `$$` is a literal `$`.
 */
export function expandVariables(word: string, env: Record<string, string>): string {
  return word.replace(/\$\$|\$\(([^)]*)\)/g, (match, name?: string) => {
    if (match === '$$') return '$';
    return getOwn(env, name as string) ?? match;
  });
}

/** The first line of a YAML error, without the colon that introduces its excerpt. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:$/, '');
}

function readEnv(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (!Array.isArray(value)) return env;
  for (const entry of value as Array<{ name?: unknown; value?: unknown }>) {
    if (typeof entry?.name === 'string' && typeof entry.value === 'string') {
      setOwn(env, entry.name, expandVariables(entry.value, env));
    }
  }
  return env;
}

function stringList(value: unknown, field: string, shownPath: string, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw notAPod(shownPath, name, `its ${field} is not a list of strings`);
}

function notAPod(shownPath: string, name: string, reason: string): InputError {
  return new InputError(`${name} manifest ${shownPath} is not a usable pod manifest: ${reason}`, {
    remedy: 'the kubelet cannot run it either: fix it or restore it from a backup, then run again',
  });
}
