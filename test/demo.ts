/**
 * `npm run demo`: stands up the local ACK-like cluster (3 masters by default),
 * shows `etcd-rotate check` before, rotates with full progress output while
 * nothing else changes, verifies the way the vendor's guide does, and tears
 * the cluster down.
 *
 *   npm run demo [-- --size 5] [--expired leaves|all] [--keep]
 */
import minimist from 'minimist';
import { ensureSimPackages, createSimCluster } from './sim/index.js';
import { runTool, streamTool } from './support/tool.js';
import { vendorExpiryListing } from './support/expiry.js';

const args = minimist(process.argv.slice(2), { string: ['expired'], boolean: ['keep'], default: { size: 3 } });
const say = (text: string) => process.stdout.write(`\n=== ${text}\n`);

await ensureSimPackages();
say(`building a ${args.size}-master cluster (etcd ${args.expired ? `with ${args.expired} expired` : 'healthy'})`);
const cluster = await createSimCluster({
  size: Number(args.size),
  expired: args.expired as 'leaves' | 'all' | undefined,
  keep: Boolean(args.keep),
});
let code = 1;
try {
  say('etcd-rotate check on master-1, before');
  process.stdout.write((await runTool(cluster, 1, ['check'])).stdout);

  say('etcd-rotate rotate --yes on master-1');
  const started = Date.now();
  code = await streamTool(cluster, 1, ['rotate', '--yes']);
  say(`rotate exited ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  say('the vendor\'s verification on master-1: openssl x509 -noout -enddate of every certificate');
  process.stdout.write(await vendorExpiryListing(cluster, 1));

  say('etcd-rotate check on master-1, after');
  process.stdout.write((await runTool(cluster, 1, ['check'])).stdout);
} finally {
  await cluster.teardown();
}
process.exitCode = code;
