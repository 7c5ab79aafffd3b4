/**
 * The SSH connection to a peer dropped mid-apply: the peer's sshd session
 * serving the tool's agent is killed, once while that peer's etcd is stopped
 * for its restart, once while its kube-apiserver restarts. The run fails
 * (exit 1) naming the peer and the lost connection, quorum is kept, and
 * `rotate --resume` finishes.
 */
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { mountNamespaceOf, processesInNamespace } from '../sim/namespaces.js';
import { runTool, startTool, type RunningTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';
import { assertRecovered, assertSecondRunRefused, errorLine, putKeys, secondsSince, SUCCESS, timing } from './support.js';

const test = suite<{ cluster: SimCluster; written: Map<string, number> }>('the SSH connection to a peer dropped mid-apply');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.written = new Map([['/faults/ssh', 20]]);
  await putKeys(ctx.cluster, '/faults/ssh', 20);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};
const parentOf = (pid: number) => Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]);

/** Kills (SIGKILL) the sshd session process on `master` that runs the tool's agent; returns its PID. */
function dropAgentConnection(c: SimCluster, master: number): number {
  const ns = mountNamespaceOf(c.master(master).anchorPid)!;
  const agent = processesInNamespace(ns).find((pid) => / agent --root /.test(cmdline(pid)));
  assert.ok(agent, `no agent runs on master-${master}`);
  let pid = agent;
  while (pid > 1 && !cmdline(pid).startsWith('sshd:')) pid = parentOf(pid);
  assert.ok(pid > 1, `the agent on master-${master} runs under no sshd session`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** Resolves once the master's etcd is stopped (the stand-in removes its pid file). */
async function etcdStopped(c: SimCluster, master: number, run: RunningTool): Promise<void> {
  const pidFile = c.hostPath(master, '/run/sim/etcd.service.pid');
  while (await access(pidFile).then(() => true, () => false)) {
    assert.ok(!/etcd CA and certs/.test(run.output()), 'the run ended before the member was stopped');
    await sleep(2);
  }
}

/** The run ends (exit 1) on one line naming the peer lost, in one of `phases`; resolves to that phase. */
async function expectLost(run: RunningTool, host: string, phases: string[]): Promise<string> {
  assert.is(await run.exited, 1, run.output());
  const line = errorLine(run.output());
  const lost = new RegExp(`phase (${phases.join('|')}): lost the SSH connection to ${host.replace(/[.()]/g, '\\$&')}`).exec(line);
  assert.ok(lost, `expected the SSH connection to ${host} lost in ${phases.join(' or ')}:\n${run.output()}`);
  assert.match(line, /rotate --resume/);
  return lost[1]!;
}

test('dropped while the peer\'s etcd is stopped, then while its kube-apiserver restarts; --resume finishes', async (ctx) => {
  const c = ctx.cluster;
  let started = Date.now();
  const run = startTool(c, 1, ['rotate', '--yes']);
  await run.waitFor(/\[trust-both\] phase 2\/6/);
  await etcdStopped(c, 2, run);
  dropAgentConnection(c, 2);
  await expectLost(run, '127.0.0.12-name-2 (127.0.0.12)', ['trust-both']);
  timing(`lost master-2 with its etcd stopped after ${secondsSince(started)}`);
  const quorum = await c.etcdctl(1, ['put', '/faults/ssh-quorum', 'kept'], { endpoints: [c.endpoints[0]!, c.endpoints[2]!] });
  assert.is(quorum.exitCode, 0, `the other members keep serving writes: ${quorum.stderr}`);
  await assertSecondRunRefused(c, 3);

  started = Date.now();
  const resumed = startTool(c, 1, ['rotate', '--resume', '--yes']);
  await resumed.waitFor(/\[control-plane\] \[127\.0\.0\.13-name-3\] \d+ files written/);
  dropAgentConnection(c, 3);
  // Its kube-apiserver restart may end first (under a second): the next phase then finds the connection gone.
  const lostIn = await expectLost(resumed, '127.0.0.13-name-3 (127.0.0.13)', ['control-plane', 'trust-new']);
  timing(`lost master-3 in its control-plane restart after ${secondsSince(started)}`);

  started = Date.now();
  const finished = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  assert.is(finished.exitCode, 0, finished.stdout + finished.stderr);
  assert.ok(finished.stdout.includes(SUCCESS));
  const firstPhase = /\[([a-z-]+)\] phase \d+\/\d+/.exec(finished.stdout)?.[1];
  assert.is(firstPhase, lostIn, 'continues in the phase it lost the peer in');
  timing(`--resume finished in ${secondsSince(started)}`);
  await assertRecovered(c, ctx.written);
});

test.run();
