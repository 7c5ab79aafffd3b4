/**
 * What systemd runs for an ExecStart= line (systemd.service(5), "Command lines"): the prefix
 * characters, "%" specifiers, and "$VAR"/"${VAR}" environment substitution. Pure.
 */

import { getOwn } from './records.js';
import { splitUnitWords, UnitSyntaxError } from './unit-words.js';

/** The command an ExecStart= line starts. */
export interface ExecCommand {
  /** The executable. */
  path: string;
  /** The arguments after argv[0], with specifiers and environment variables substituted. */
  args: string[];
  /** The prefix characters of the line ("-", "@", ":", "+", "!", "|"), in order. */
  prefixes: string;
}

/** Characters systemd accepts before the executable path. */
const PREFIX_CHARACTERS = new Set(['-', '@', ':', '+', '!', '|']);

/** Specifiers a system service's command line may use, with their fixed values. */
const FIXED_SPECIFIERS: Record<string, string> = {
  '%': '%',
  i: '',
  I: '',
  E: '/etc',
  S: '/var/lib',
  C: '/var/cache',
  L: '/var/log',
  t: '/run',
  T: '/tmp',
  V: '/var/tmp',
};

/**
 * Parses the value of an ExecStart= line of the unit `unitName` ("etcd.service") into the
 * command systemd would run with the environment `env`. Throws UnitSyntaxError when systemd
 * would refuse the line or when it uses a specifier that depends on the running host ("%H").
 */
export function parseExecStart(
  value: string,
  unitName: string,
  env: Record<string, string>,
): ExecCommand {
  const words = splitUnitWords(value);
  const first = words[0] ?? '';

  let prefixLength = 0;
  while (PREFIX_CHARACTERS.has(first[prefixLength] ?? '')) prefixLength += 1;
  const prefixes = first.slice(0, prefixLength);
  const path = first.slice(prefixLength);
  if (path === '') throw new UnitSyntaxError('ExecStart= names no executable');

  // With "@", the second word is the argv[0] the program sees, not an argument.
  const rest = prefixes.includes('@') ? words.slice(2) : words.slice(1);
  const specified = rest.map((word) => expandSpecifiers(word, unitName));
  const args = prefixes.includes(':') ? specified : expandEnvironment(specified, env);
  return { path: expandSpecifiers(path, unitName), args, prefixes };
}

/**
 * Substitutes environment variables the way systemd does in command lines: a word that is
 * exactly "$NAME" becomes the variable's value split at whitespace (zero or more words);
 * "${NAME}" anywhere in a word becomes the exact value, keeping it one word; "$$" is a "$".
 * Unset variables are empty.
 */
export function expandEnvironment(words: string[], env: Record<string, string>): string[] {
  return words.flatMap((word) => {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) return (getOwn(env, whole[1] as string) ?? '').split(/\s+/).filter(Boolean);

    return [
      word.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name?: string) =>
        match === '$$' ? '$' : (getOwn(env, name as string) ?? ''),
      ),
    ];
  });
}

/** Replaces "%" specifiers in one word of the unit `unitName`'s command line. */
function expandSpecifiers(word: string, unitName: string): string {
  const prefix = unitName.replace(/\.[^.]+$/, '');
  return word.replace(/%(.?)/g, (_match, letter: string) => {
    if (letter === 'n') return unitName;
    if (letter === 'N' || letter === 'p' || letter === 'P') return prefix;
    const fixed = FIXED_SPECIFIERS[letter];
    if (fixed !== undefined) return fixed;
    throw new UnitSyntaxError(
      `specifier "%${letter}" in ExecStart= depends on the running host and is not supported`,
    );
  });
}
