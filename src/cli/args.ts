import minimist from 'minimist';
import { UsageError } from '../errors.js';

/** The flags one command accepts. Every other flag is a usage error. */
export interface FlagSpec {
  strings?: string[];
  booleans?: string[];
  /** Flags that may be given more than once; their values arrive as an array. */
  repeatable?: string[];
  defaults?: Record<string, string | boolean>;
}

/** Parsed command line: flags by name plus the positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` against `spec`, refusing unknown flags and string flags given
 * without a value, so a typo never silently changes what a run does.
 */
export function parseArgs(command: string, argv: string[], spec: FlagSpec): ParsedArgs {
  const strings = [...(spec.strings ?? []), ...(spec.repeatable ?? [])];
  const booleans = [...(spec.booleans ?? []), 'help'];
  const known = new Set([...strings, ...booleans]);

  const parsed = minimist(argv, {
    string: strings,
    boolean: booleans,
    default: spec.defaults ?? {},
    alias: { h: 'help' },
    unknown: (arg) => {
      if (!arg.startsWith('-')) return true;
      const name = arg.replace(/^--?(no-)?/, '').split('=')[0] ?? arg;
      if (known.has(name) || name === 'h') return true;
      throw new UsageError(`unknown flag ${arg} for "etcd-rotate ${command}"`, {
        remedy: `run "etcd-rotate ${command} --help" for the flags it takes`,
      });
    },
  });

  const flags: ParsedArgs['flags'] = {};
  for (const name of known) {
    const value = parsed[name] as string | boolean | string[] | undefined;
    flags[name] = normalise(command, name, value, spec);
  }
  return { flags, positionals: parsed._.map(String) };
}

function normalise(
  command: string,
  name: string,
  value: string | boolean | string[] | undefined,
  spec: FlagSpec,
): string | boolean | string[] | undefined {
  if (spec.repeatable?.includes(name)) {
    if (value === undefined || value === '') return [];
    return Array.isArray(value) ? value : [String(value)];
  }
  if (Array.isArray(value)) {
    throw new UsageError(`flag --${name} of "etcd-rotate ${command}" was given more than once`, {
      remedy: 'give it once',
    });
  }
  // minimist leaves a flag that was not given undefined, and gives '' to one given without a
  // value: `rollback --from-backup` with the run id forgotten must not roll back another way.
  if (spec.strings?.includes(name) && value === '') {
    throw new UsageError(`flag --${name} of "etcd-rotate ${command}" needs a value`, {
      remedy: `run "etcd-rotate ${command} --help"`,
    });
  }
  return value;
}

/** Reads a string flag, or undefined when it was not given. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a boolean flag. */
export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** Reads a repeatable flag as a list. */
export function listFlag(args: ParsedArgs, name: string): string[] {
  const value = args.flags[name];
  return Array.isArray(value) ? value : [];
}

/** Reads a flag that must be a whole number within [min, max]. */
export function integerFlag(
  args: ParsedArgs,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} takes a whole number from ${range.min} to ${range.max}, got "${text}"`);
  }
  return value;
}

/** Reads a flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
): T | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} takes one of ${choices.join(', ')}, got "${text}"`);
  }
  return text as T;
}
