/**
 * Command-line flags the way Go's pflag reads them (`--name=value`, `--name value`, bare
 * `--name` for booleans), and Go-style durations (`200ms`, `10s`, `1m30s`).
 */

/**
 * Parses `argv` into a Map from flag name (without dashes) to its last value. A flag followed
 * by another flag, or by nothing, is a boolean and gets "true". Words that are not flags are
 * returned in `args`.
 */
export function parseFlags(argv) {
  const flags = new Map();
  const args = [];
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i];
    if (!word.startsWith('-') || word === '-' || word === '--') {
      args.push(word);
      continue;
    }
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      flags.set(body, argv[i + 1]);
      i += 1;
    } else {
      flags.set(body, 'true');
    }
  }
  return { flags, args };
}

const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration such as `1m30s` or `250ms`; throws on anything else. */
export function parseDuration(text) {
  const parts = [...String(text).matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== String(text)) {
    throw new Error(`invalid duration "${text}": expected a Go duration such as 200ms, 10s or 1m30s`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
}

/** The flag's value as a duration in ms, or `fallbackMs` when it is absent. */
export function durationFlag(flags, name, fallbackMs) {
  const value = flags.get(name);
  if (value === undefined) return fallbackMs;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new Error(`flag --${name}: ${error.message}`, { cause: error });
  }
}
