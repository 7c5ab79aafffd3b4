/**
 * etcd's flags as the running member sees them: its command line, with `ETCD_*` environment
 * variables filling in flags the command line does not set (etcd maps `--initial-cluster` to
 * `ETCD_INITIAL_CLUSTER`: upper case, "-" becomes "_").
 */

import { InputError } from '../errors.js';
import { lastFlagValues, parseBoolean, parseFlags } from './flags.js';
import { setOwn } from './records.js';

/** etcd's boolean flags (v3.4 to v3.6 `etcd --help`); all others take a value. */
export const ETCD_BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'auto-tls',
  'client-cert-auth',
  'debug',
  'discovery-insecure-skip-tls-verify',
  'discovery-insecure-transport',
  'enable-grpc-gateway',
  'enable-log-rotation',
  'enable-pprof',
  'enable-v2',
  'experimental-compact-hash-check-enabled',
  'experimental-enable-distributed-tracing',
  'experimental-enable-lease-checkpoint',
  'experimental-enable-lease-checkpoint-persist',
  'experimental-initial-corrupt-check',
  'experimental-memory-mlock',
  'experimental-peer-skip-client-san-verification',
  'experimental-stop-grpc-service-on-defrag',
  'experimental-txn-mode-write-with-shared-buffer',
  'force-new-cluster',
  'h',
  'help',
  'initial-election-tick-advance',
  'peer-auto-tls',
  'peer-client-cert-auth',
  'pre-vote',
  'socket-reuse-address',
  'socket-reuse-port',
  'strict-reconfig-check',
  'unsafe-no-fsync',
  'version',
]);

const ENVIRONMENT_PREFIX = 'ETCD_';

/** `ETCD_*` variables etcd reads for itself rather than as flags. */
const NOT_FLAGS = new Set(['ETCD_UNSUPPORTED_ARCH']);

/**
 * The flags etcd runs with: `args` (after the program name) parsed with etcd's syntax, then
 * `ETCD_*` variables of `env` for flags not on the command line. Flags without a value map to
 * "true". `source` names the unit or manifest in errors.
 *
 * NB. etcd 3.4 and later refuse to start when a flag is set both ways, so a running member has
 * each flag from one place; the command line wins here in any case.
 */
export function readEtcdFlags(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  source: string,
): Record<string, string> {
  const flags = lastFlagValues(parseFlags(args, { booleans: ETCD_BOOLEAN_FLAGS, source }));

  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(ENVIRONMENT_PREFIX) || NOT_FLAGS.has(variable)) continue;
    const name = variable.slice(ENVIRONMENT_PREFIX.length).toLowerCase().replaceAll('_', '-');
    if (name === '' || Object.hasOwn(flags, name)) continue;
    const given = ETCD_BOOLEAN_FLAGS.has(name)
      ? parseBoolean(name, value, `${source} (environment ${variable})`)
      : value;
    setOwn(flags, name, given);
  }

  rejectConfigFile(flags, source);
  return flags;
}

/**
 * NB. With `--config-file` etcd ignores its other flags and the environment and reads a YAML
 * file instead. Discovery does not read that file yet; it refuses rather than report flags etcd
 * is not using.
 */
function rejectConfigFile(flags: Record<string, string>, source: string): void {
  const configFile = flags['config-file'];
  if (configFile === undefined) return;
  throw new InputError(
    `etcd in ${source} reads its settings from --config-file ${configFile}, which etcd-rotate does not support`,
    { remedy: 'move the settings into flags in the unit or manifest, then run again' },
  );
}
