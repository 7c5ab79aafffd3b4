/**
 * An etcd member that goes away while the tool restarts it: killed (SIGKILL)
 * right after the tool started it, and unable to start at all (its data
 * directory unreadable). The tool stops at once with exit 1, naming the
 * member and its unit's state, with quorum kept; `rotate --resume` finishes
 * once the member can run.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { runTool, startTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';
import { assertRecovered, assertSecondRunRefused, errorLine, putKeys, secondsSince, SUCCESS, timing } from './support.js';

const test = suite<{ cluster: SimCluster; written: Map<string, number> }>('an etcd member lost during its restart');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.written = new Map([['/faults/member', 20]]);
  await putKeys(ctx.cluster, '/faults/member', 20);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

/** The PID the systemctl stand-in recorded for a master's etcd, if it runs. */
async function etcdPid(c: SimCluster, master: number): Promise<number | undefined> {
  const text = await readFile(c.hostPath(master, '/run/sim/etcd.service.pid'), 'utf8').catch(() => '');
  return text.trim() ? Number(text.trim()) : undefined;
}

/** Kills master `master`'s etcd with SIGKILL the moment the tool has started a new one. */
async function killNextStart(c: SimCluster, master: number, until: Promise<unknown>): Promise<number | undefined> {
  const first = await etcdPid(c, master);
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const pid = await etcdPid(c, master);
    if (pid !== undefined && pid !== first) {
      process.kill(pid, 'SIGKILL');
      return pid;
    }
    await sleep(1);
  }
  return undefined;
}

async function resumeAndCheck(c: SimCluster, written: Map<string, number>): Promise<void> {
  const started = Date.now();
  const resumed = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  assert.ok(resumed.stdout.includes(SUCCESS));
  timing(`--resume finished in ${secondsSince(started)}`);
  await assertRecovered(c, written);
}

test('killed right after the tool started it: the run stops (exit 1) naming it, --resume finishes', async (ctx) => {
  const c = ctx.cluster;
  const started = Date.now();
  const run = startTool(c, 1, ['rotate', '--yes']);
  await run.waitFor(/\[trust-both\] phase 2\/6/);
  const killed = await killNextStart(c, 2, run.exited);
  assert.ok(killed, `the tool never restarted master-2's etcd:\n${run.output()}`);
  assert.is(await run.exited, 1, run.output());
  const line = errorLine(run.output());
  assert.match(line, /phase trust-both: 127\.0\.0\.12-name-2: etcd stopped running after it was started \("systemctl is-active etcd(\.service)?" says failed\)/);
  assert.match(line, /rotate --resume/);
  timing(`stopped ${secondsSince(started)} after the start`);

  const quorum = await c.etcdctl(1, ['put', '/faults/member-quorum', 'kept'], { endpoints: [c.endpoints[0]!, c.endpoints[2]!] });
  assert.is(quorum.exitCode, 0, `the other two members keep serving writes: ${quorum.stderr}`);
  await assertSecondRunRefused(c, 3);
  await resumeAndCheck(c, ctx.written);
});

test('unable to start (data directory unreadable): exit 1 naming it; fixed, --resume finishes', async (ctx) => {
  const c = ctx.cluster;
  const dataDir = c.hostPath(3, '/var/lib/etcd/data.etcd');
  const mode = (await stat(dataDir)).mode & 0o7777;
  await chmod(dataDir, 0o000);
  let result;
  const started = Date.now();
  try {
    result = await runTool(c, 1, ['rotate', '--yes']);
  } finally {
    await chmod(dataDir, mode);
  }
  assert.is(result.exitCode, 1, result.stdout + result.stderr);
  const line = errorLine(result.stderr);
  assert.match(line, /127\.0\.0\.13-name-3: etcd stopped running after it was started .* says failed/);
  assert.match(line, /journalctl -u etcd(\.service)?" on master-3/);
  timing(`stopped after ${secondsSince(started)}`);
  const log = await c.journal(3, 'etcd', 30);
  assert.match(log, /error listing data dir/, `etcd itself says why:\n${log}`);

  await resumeAndCheck(c, ctx.written);
});

test.run();
