/**
 * Builds a simulated ACK cluster and keeps it up until Ctrl-C, printing how to
 * get a shell on each master.
 *
 *   npm run sim -- [--size 3] [--expired leaves|all] [--ssh-port 2222] [--keep] [--exit]
 *
 * `--exit` tears the cluster down as soon as it is up (a smoke test).
 */
import minimist from 'minimist';
import { createSimCluster } from './index.js';
import { MASTER_ENV } from './namespaces.js';

const args = minimist(process.argv.slice(2), {
  string: ['expired'],
  boolean: ['keep', 'exit'],
  default: { size: 3, 'ssh-port': 2222 },
});
if (args.expired !== undefined && args.expired !== 'leaves' && args.expired !== 'all') {
  process.stderr.write(`--expired must be "leaves" or "all", received "${args.expired}"\n`);
  process.exit(2);
}

const cluster = await createSimCluster({
  size: Number(args.size),
  sshPort: Number(args['ssh-port']),
  expired: args.expired as 'leaves' | 'all' | undefined,
  keep: args.keep,
  log: (line) => process.stderr.write(`${line}\n`),
});

const status = await cluster.etcdctl(1, ['endpoint', 'status', '-w', 'table'], { endpoints: 'all' });
process.stdout.write(status.stdout || status.stderr);
const env = Object.entries(MASTER_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
for (const m of cluster.masters) {
  process.stdout.write(
    `${m.hostname}  ${m.name}  root: ${m.dir}\n` +
      `    shell: nsenter -t ${m.anchorPid} -m -u --wd=/root env -i TERM=xterm ${env} bash\n`,
  );
}
process.stdout.write(`created in ${cluster.createdInMs} ms\n`);

if (args.exit) {
  await cluster.teardown();
} else {
  process.stdout.write('Ctrl-C tears the cluster down.\n');
  setInterval(() => {}, 1 << 30);
}
