/**
 * The rotation against its floor, on simulated clusters (needs root, like the tests):
 *  - wall time of `rotate` for each size, against two health-gated bare rolling
 *    restarts of etcd timed on the same cluster just before (a zero-downtime CA
 *    rotation cannot do with fewer: one restart to trust the new CA, one to stop
 *    trusting the old), with a writer measuring availability meanwhile;
 *  - expired recovery on 3 masters: time until the cluster serves writes again,
 *    and until the rotation is complete;
 *  - `check` on a master with about 40 certificates: time and peak memory.
 *
 * Usage: npm run build && node --import tsx bench/rotation.ts [sizes, default 3,5,7]
 */
import { execFileSync } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { waitForHealthy } from '../src/etcd/index.js';
import { createSimCluster, replaceEtcdCertificates, type SimCluster } from '../test/sim/index.js';
import { CLI, runTool, startTool } from '../test/support/tool.js';
import { startWriter } from '../test/support/writer.js';

const sizes = (process.argv[2] ?? '3,5,7').split(',').map(Number);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('masters  floor (2 rolling restarts)  rotate   ratio  writes  failed  longest stall');
for (const size of sizes) {
  const cluster = await createSimCluster({ size });
  try {
    const floor = await rollingRestarts(cluster, 2);
    const writer = startWriter(cluster.endpoints, apiserverFiles(cluster));
    const started = Date.now();
    const result = await runTool(cluster, 1, ['rotate', '--yes']);
    const rotate = Date.now() - started;
    const writes = await writer.stop();
    if (result.exitCode !== 0) throw new Error(`rotate failed on ${size} masters:\n${result.stdout}${result.stderr}`);
    console.log(
      `${String(size).padEnd(8)} ${seconds(floor).padEnd(27)} ${seconds(rotate).padEnd(8)} ${(rotate / floor).toFixed(2).padEnd(6)} ` +
        `${String(writes.attempted).padEnd(7)} ${String(writes.failed).padEnd(7)} ${writes.longestStallMs} ms`,
    );
  } finally {
    await cluster.teardown();
  }
}

console.log('\nexpired (3 masters)   serves writes again   rotation complete');
for (const expired of ['leaves', 'all'] as const) {
  const cluster = await createSimCluster({ size: 3 });
  try {
    await replaceEtcdCertificates(cluster, expired);
    const started = Date.now();
    const run = startTool(cluster, 1, ['rotate', '--yes']);
    let back = 0;
    while (!back) {
      const put = await cluster.etcdctl(1, ['put', '/bench/back', 'yes', '--command-timeout=1s'], { endpoints: 'all' });
      if (put.exitCode === 0) back = Date.now() - started;
      else if (Date.now() - started > 300_000) throw new Error(`no write accepted in 300 s:\n${run.output()}`);
    }
    const code = await run.exited;
    if (code !== 0) throw new Error(`rotate failed:\n${run.output()}`);
    console.log(`${(expired === 'leaves' ? 'leaves only' : 'CA and leaves').padEnd(21)} ${seconds(back).padEnd(21)} ${seconds(Date.now() - started)}`);
  } finally {
    await cluster.teardown();
  }
}

console.log('\ncheck on one master');
const cluster = await createSimCluster({ size: 3, startEtcd: false });
try {
  const dir = cluster.hostPath(1, '/var/lib/etcd/cert');
  for (let i = 0; i < 22; i++) await copyFile(path.join(dir, 'etcd-server.pem'), path.join(dir, `extra-${i}.pem`));
  const root = cluster.master(1).dir;
  const probe = `import('${CLI.replace('cli.js', 'cli/main.js')}').then(async ({ main }) => {
    const { Writable } = await import('node:stream');
    const sink = new Writable({ write(_c, _e, done) { done(); } });
    const t = performance.now();
    const code = await main(['check', '--root', ${JSON.stringify(root)}, '--output', 'json'], { stdout: sink, stderr: sink });
    console.log(JSON.stringify({ code, ms: performance.now() - t, maxRssKb: process.resourceUsage().maxRSS }));
  })`;
  const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync('node', ['-e', probe], { encoding: 'utf8' })) as { ms: number; maxRssKb: number });
  const count = JSON.parse(execFileSync('node', [CLI, 'check', '--root', root, '--output', 'json'], { encoding: 'utf8' }).toString()).certificates.length;
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
  const rss = Math.max(...runs.map((r) => r.maxRssKb));
  console.log(`${count} certificates: median ${ms.toFixed(0)} ms in-process (5 runs), peak RSS ${(rss / 1024).toFixed(0)} MiB for the whole node process`);
} finally {
  await cluster.teardown();
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

/** `passes` rolling restarts of every member, each waiting for health before the next. */
async function rollingRestarts(cluster: SimCluster, passes: number): Promise<number> {
  const files = apiserverFiles(cluster);
  const tls = { ca: await readFile(files.ca), cert: await readFile(files.cert), key: await readFile(files.key) };
  const started = Date.now();
  for (let pass = 0; pass < passes; pass++) {
    for (const m of cluster.masters) {
      await cluster.systemctl(m, ['restart', 'etcd']);
      await waitForHealthy({ endpoint: `https://${m.ip}:2379`, tls, timeoutMs: 60_000 });
    }
  }
  return Date.now() - started;
}

function apiserverFiles(cluster: SimCluster): { ca: string; cert: string; key: string } {
  return {
    ca: cluster.hostPath(1, '/etc/kubernetes/pki/etcd/ca.pem'),
    cert: cluster.hostPath(1, '/etc/kubernetes/pki/etcd/etcd-client.pem'),
    key: cluster.hostPath(1, '/etc/kubernetes/pki/etcd/etcd-client-key.pem'),
  };
}
