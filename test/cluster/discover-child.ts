/**
 * Runs discoverTopology on the root given as the first argument and prints the outcome as JSON.
 * The permission tests start it as an unprivileged user, since root reads any file.
 */

import { discoverTopology } from '../../src/cluster/index.js';
import { OperatorError } from '../../src/errors.js';

const root = process.argv[2] as string;
try {
  const topology = await discoverTopology({ root });
  process.stdout.write(JSON.stringify({ ok: true, localName: topology.etcd.localName }));
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  process.stdout.write(
    JSON.stringify({ ok: false, name: error.name, message: error.message, remedy: error.remedy }),
  );
}
