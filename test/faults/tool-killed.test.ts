/**
 * The tool killed with SIGKILL at every phase boundary, in the middle of every
 * phase and inside an etcd restart (the member stopped), then `rotate --resume`.
 *
 * To keep CI short the kill points are chained: one rotation is killed at the
 * first point of a chain, its resume at the next, and so on; the last resume
 * finishes. After every kill a plain `rotate` on another master is refused
 * (exit 3) and the next resume must start in the phase it stopped in. Each
 * chain ends with the full recovery check (health, keys, one generation).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, replaceEtcdCertificates, type SimCluster } from '../sim/index.js';
import { runTool, startTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';
import { assertRecovered, assertSecondRunRefused, putKeys, secondsSince, SUCCESS, timing } from './support.js';

interface KillPoint {
  name: string;
  /** The progress line after which the tool is killed. */
  after: RegExp;
}

const PHASES = ['prepare', 'trust-both', 'switch-leaves', 'control-plane', 'trust-new', 'verify'];
const boundary = (phase: string): KillPoint => ({ name: `after ${phase}`, after: new RegExp(`\\[${phase}\\] done in`) });
const middle = (phase: string, line: string): KillPoint => ({
  name: `middle of ${phase}`,
  after: new RegExp(`\\[${phase}\\] \\[[^\\]]+\\] ${line}`),
});

/** Two chains: every boundary, then every middle and both leader restarts. */
const CHAINS: KillPoint[][] = [
  [
    { name: 'before the first step', after: /\[prepare\] phase 1\/6/ },
    boundary('prepare'),
    boundary('trust-both'),
    boundary('switch-leaves'),
    boundary('control-plane'),
    boundary('trust-new'),
  ],
  [
    middle('prepare', '\\d+ files archived'),
    // The kube-apiserver lane finishes before etcd's, whose leader goes last: kill in it first.
    { ...middle('trust-both', 'restarted and healthy: kube-apiserver'), name: 'trust-both, a kube-apiserver restarted beside etcd' },
    { ...middle('trust-both', 'leadership moved'), name: 'trust-both, the leader stopped' },
    middle('switch-leaves', '\\d+ files written'),
    middle('control-plane', 'restarted and healthy: kube-apiserver'),
    middle('trust-new', 'etcd restarted'),
    { ...middle('trust-new', 'kubelet restarted'), name: 'trust-new, the control-plane lane beside etcd' },
    { ...middle('trust-new', 'leadership moved'), name: 'trust-new, the leader stopped' },
    { name: 'middle of verify', after: /\[verify\] a client certificate of the old CA is refused/ },
  ],
];

const test = suite<{ cluster: SimCluster; written: Map<string, number> }>('the tool killed with SIGKILL');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.written = new Map();
}));
test.after(async (ctx) => ctx.cluster?.teardown());

/** Runs `args`, kills the run after `point`, checks the lock refuses a second run. */
async function killAt(c: SimCluster, args: string[], point: KillPoint): Promise<string> {
  const run = startTool(c, 1, args);
  await run.waitFor(point.after, 180_000);
  run.kill('SIGKILL');
  await run.exited;
  await assertSecondRunRefused(c, 2);
  return run.output();
}

/** The phase a resumed run printed first, or '' when it ran none. */
function firstPhase(output: string): string {
  return /\[([a-z-]+)\] phase \d+\/\d+/.exec(output)?.[1] ?? '';
}

/** Where a killed run stopped: the last phase it began, or the next one if it printed that one done. */
function unfinishedPhase(output: string): string {
  const begun = [...output.matchAll(/\[([a-z-]+)\] phase \d+\/\d+/g)].map((m) => m[1]!);
  const last = begun.at(-1) ?? 'prepare';
  return new RegExp(`\\[${last}\\] done in`).test(output) ? PHASES[PHASES.indexOf(last) + 1]! : last;
}

for (const [i, chain] of CHAINS.entries()) {
  test(`chain ${i + 1}: killed ${chain.map((p) => p.name).join(', ')}; each --resume continues, the last one finishes`, async (ctx) => {
    const c = ctx.cluster;
    const prefix = `/faults/chain-${i + 1}`;
    await putKeys(c, prefix, 10);
    ctx.written.set(prefix, 10);
    const chainStarted = Date.now();

    let started = Date.now();
    let args = ['rotate', '--yes'];
    let stoppedIn: string | undefined;
    for (const point of chain) {
      const output = await killAt(c, args, point);
      if (stoppedIn) assert.is(firstPhase(output), stoppedIn, `finished phases are not run again:\n${output}`);
      stoppedIn = unfinishedPhase(output);
      timing(`killed ${point.name} (in ${stoppedIn}) after ${secondsSince(started)}`);
      started = Date.now();
      args = ['rotate', '--resume', '--yes'];
    }

    const resumed = await runTool(c, 1, args);
    assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
    assert.ok(resumed.stdout.includes(SUCCESS), resumed.stdout);
    assert.is(firstPhase(resumed.stdout), stoppedIn, resumed.stdout);
    timing(`last resume finished in ${secondsSince(started)}; chain ${secondsSince(chainStarted)}`);
    await assertRecovered(c, ctx.written);
  });
}

test('the reset (CAs expired) killed mid-write: --resume writes the rest and starts every member', async (ctx) => {
  const c = ctx.cluster;
  await putKeys(c, '/faults/reset', 10);
  ctx.written.set('/faults/reset', 10);
  await replaceEtcdCertificates(c, 'all');

  const started = Date.now();
  const run = startTool(c, 1, ['rotate', '--yes']);
  await run.waitFor(/\[reset\] \[[^\]]+\] \d+ files written/, 180_000);
  run.kill('SIGKILL');
  await run.exited;
  assert.match(run.output(), /new set on every master, etcd members restarted together/);
  const down = await c.etcdctl(1, ['get', '/faults/reset/0', '--command-timeout=2s'], { endpoints: 'all' });
  assert.is.not(down.exitCode, 0, 'killed mid-write, every member is still stopped');
  await assertSecondRunRefused(c, 3);
  timing(`reset killed mid-write after ${secondsSince(started)}`);

  const resumedAt = Date.now();
  const resumed = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /resuming run \S+ \(reset\)/);
  assert.ok(resumed.stdout.includes(SUCCESS));
  timing(`resume finished the reset in ${secondsSince(resumedAt)}`);
  await assertRecovered(c, ctx.written);
});

test.run();
