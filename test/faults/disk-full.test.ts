/**
 * A full disk on a peer while the tool writes its files: master-3's etcd
 * certificate directory becomes a small tmpfs holding its files, the rest
 * filled up. The run stops (exit 1) naming the master, the path and the full
 * disk, leaves no temporary file and every file as it was, and starts the
 * member again on those files; once space is freed, `rotate --resume` finishes.
 */
import { readdir } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { runTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';
import { assertRecovered, errorLine, putKeys, secondsSince, SUCCESS, timing } from './support.js';

const CERT_DIR = '/var/lib/etcd/cert';
const COPY = '/run/sim/cert-copy';
const FILLER = `${CERT_DIR}/filler`;

const test = suite<{ cluster: SimCluster; written: Map<string, number> }>('a full disk on a peer');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.written = new Map([['/faults/disk', 20]]);
  await putKeys(ctx.cluster, '/faults/disk', 20);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

async function sh(c: SimCluster, master: number, script: string): Promise<string> {
  const result = await c.exec(master, ['sh', '-ec', script]);
  assert.is(result.exitCode, 0, `${script}: ${result.stderr}`);
  return result.stdout;
}

/** What a file of the directory holds, as the master sees it (through the tmpfs). */
async function digests(c: SimCluster, master: number): Promise<string> {
  return sh(c, master, `cd ${CERT_DIR} && sha256sum *.pem`);
}

test('the write fails cleanly naming master and path; freed, --resume finishes', async (ctx) => {
  const c = ctx.cluster;
  // A 512 KiB tmpfs over the directory, with its files, owner and mode, and the rest filled.
  await sh(c, 3, [
    `cp -a ${CERT_DIR} ${COPY}`,
    `mount -t tmpfs -o size=512k,mode=$(stat -c %a ${CERT_DIR}),uid=$(stat -c %u ${CERT_DIR}),gid=$(stat -c %g ${CERT_DIR}) tmpfs ${CERT_DIR}`,
    `cp -a ${COPY}/. ${CERT_DIR}/`,
    `dd if=/dev/zero of=${FILLER} bs=4k 2>/dev/null || true`,
    `test "$(df --output=avail ${CERT_DIR} | tail -1)" -eq 0`,
  ].join('\n'));
  const before = await digests(c, 3);

  let started = Date.now();
  const failed = await runTool(c, 1, ['rotate', '--yes']);
  assert.is(failed.exitCode, 1, failed.stdout + failed.stderr);
  const line = errorLine(failed.stderr);
  assert.match(line, /127\.0\.0\.13-name-3: could not write \/var\/lib\/etcd\/cert\/\S+\.pem: /);
  assert.match(line, /no space left|disk is full/i);
  assert.match(line, /the file is unchanged; etcd was started again on the files it had/);
  timing(`stopped after ${secondsSince(started)}: ${line.slice(0, 200)}`);

  const names = await sh(c, 3, `ls -A ${CERT_DIR}`);
  assert.not.match(names, /etcd-rotate-/, 'no temporary file is left');
  assert.is(await digests(c, 3), before, 'every file of the full directory is as it was');
  const health = await c.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
  assert.is(health.exitCode, 0, `all three members serve: ${health.stdout}${health.stderr}`);

  await sh(c, 3, `rm ${FILLER}`);
  started = Date.now();
  const resumed = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  assert.ok(resumed.stdout.includes(SUCCESS));
  timing(`--resume finished in ${secondsSince(started)}`);

  // The host sees the directory under the tmpfs: put the new files there and unmount.
  await sh(c, 3, [`rm -rf ${COPY}`, `cp -a ${CERT_DIR} ${COPY}`, `umount -l ${CERT_DIR}`, `cp -a ${COPY}/. ${CERT_DIR}/`, `rm -rf ${COPY}`].join('\n'));
  const left = await readdir(c.hostPath(3, CERT_DIR));
  assert.ok(!left.some((n) => n.includes('etcd-rotate-') || n === 'filler'), left.join(' '));
  await assertRecovered(c, ctx.written);
});

test.run();
