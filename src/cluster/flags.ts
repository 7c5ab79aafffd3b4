/**
 * Command-line flags as Go programs read them (etcd uses Go's `flag` package, kube-apiserver
 * spf13/pflag): `--name value`, `--name=value`, and the single-dash forms `-name value` and
 * `-name=value`. Boolean flags take no separate value: `--client-cert-auth` is true, and only
 * `--client-cert-auth=false` turns one off. Pure.
 *
 * NB. A flag missing from the caller's list of booleans is read as boolean when the next
 * argument starts with "-" (and is not a negative number), and as taking the next argument
 * otherwise. This keeps `--some-new-switch --cert-file=x` right for flags newer than our list.
 */

import { InputError } from '../errors.js';
import { setOwn } from './records.js';

/** One flag as it appears on a command line. */
export interface FlagOccurrence {
  name: string;
  value: string;
}

/** What the parser must know about the program whose flags it reads. */
export interface FlagSyntax {
  /** Flags that take no separate value. */
  booleans: ReadonlySet<string>;
  /** Names the command line in errors, e.g. "etcd unit /usr/lib/systemd/system/etcd.service". */
  source: string;
}

/** Spellings Go's strconv.ParseBool accepts, normalised to "true" or "false". */
const BOOLEAN_SPELLINGS: Record<string, 'true' | 'false'> = {
  '1': 'true', t: 'true', T: 'true', true: 'true', TRUE: 'true', True: 'true',
  '0': 'false', f: 'false', F: 'false', false: 'false', FALSE: 'false', False: 'false',
};

/**
 * Parses the arguments after the program name into flag occurrences, in order. Boolean values
 * are normalised to "true" or "false". Throws InputError for anything the program itself would
 * refuse to start with: a stray argument, a bad boolean, a flag missing its value.
 */
export function parseFlags(args: readonly string[], syntax: FlagSyntax): FlagOccurrence[] {
  const flags: FlagOccurrence[] = [];

  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      const stray = args[index + 1];
      if (stray !== undefined) throw strayArgument(stray, syntax.source);
      break;
    }
    const match = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!match) throw strayArgument(arg, syntax.source);

    const name = match[1] as string;
    const inline = match[2];
    const next = args[index + 1];

    if (syntax.booleans.has(name) || (inline === undefined && looksLikeFlag(next))) {
      flags.push({ name, value: parseBoolean(name, inline ?? 'true', syntax.source) });
    } else if (inline !== undefined) {
      flags.push({ name, value: inline });
    } else if (next !== undefined) {
      flags.push({ name, value: next });
      index += 1;
    } else {
      throw new InputError(`flag --${name} in ${syntax.source} has no value`, {
        remedy: `give --${name} a value or remove it`,
      });
    }
  }

  return flags;
}

/** The flags as a record, the last occurrence of each winning, as for etcd's string flags. */
export function lastFlagValues(flags: readonly FlagOccurrence[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { name, value } of flags) setOwn(values, name, value);
  return values;
}

/** Normalises a boolean flag's value; throws InputError for a spelling Go does not accept. */
export function parseBoolean(name: string, value: string, source: string): 'true' | 'false' {
  const parsed = BOOLEAN_SPELLINGS[value];
  if (parsed) return parsed;
  throw new InputError(`flag --${name} in ${source} is "${value}", not a boolean`, {
    remedy: `write --${name}=true or --${name}=false`,
  });
}

function looksLikeFlag(arg: string | undefined): boolean {
  return arg !== undefined && arg.startsWith('-') && !/^-\d/.test(arg);
}

function strayArgument(arg: string, source: string): InputError {
  return new InputError(`unexpected argument "${arg}" among the flags in ${source}`, {
    remedy: 'the program refuses it too: remove it, or join it to its flag as --flag=value',
  });
}
