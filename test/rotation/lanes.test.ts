/**
 * executePlan's lanes, on real in-process agents over temporary roots: lanes
 * of a phase run at once, each in its order; a failing lane stops the others
 * before their next step; a resumed run continues every lane where it stopped.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunFailedError } from '../../src/errors.js';
import { openLocalSession } from '../../src/remote/local-session.js';
import type { AgentSession } from '../../src/remote/session.js';
import type { ClusterAccess } from '../../src/rotation/cluster-access.js';
import { executePlan } from '../../src/rotation/execute.js';
import { certWrite } from '../../src/rotation/material.js';
import { createProgressJournal } from '../../src/rotation/progress.js';
import type { RotationPlan, Step } from '../../src/rotation/types.js';

interface Ctx {
  roots: Record<string, string>;
  sessions: Map<string, AgentSession>;
  /** Writes that reached a master, in the order they began. */
  began: string[];
  /** Writes to a path ending in `/held` wait until this resolves. */
  release: () => void;
  held: Promise<void>;
}

const lanes = suite<Ctx>('executePlan lanes');

lanes.before.each(async (ctx) => {
  ctx.roots = {};
  ctx.sessions = new Map();
  ctx.began = [];
  ctx.held = new Promise((resolve) => (ctx.release = resolve));
  for (const host of ['m1', 'm2']) {
    const root = await mkdtemp(path.join(tmpdir(), `lanes-${host}-`));
    ctx.roots[host] = root;
    // The agent writes into folders that exist, as on a master.
    for (const dir of ['a', 'b']) await mkdir(path.join(root, dir));
    const real = openLocalSession(host, { root, containerized: false });
    ctx.sessions.set(host, {
      host,
      close: () => real.close(),
      async call(method, params, options) {
        if (method === 'write') {
          const first = (params as { files: { path: string }[] }).files[0]!.path;
          ctx.began.push(`${host}:${first}`);
          if (first.endsWith('/held')) await ctx.held;
        }
        return real.call(method, params, options);
      },
    } as AgentSession);
  }
});
lanes.after.each(async (ctx) => {
  for (const root of Object.values(ctx.roots)) await rm(root, { recursive: true, force: true });
});

const write = (host: string, file: string, lane?: string): Step => ({
  kind: 'write',
  host,
  files: [certWrite(file, `${file}\n`)],
  why: 'test',
  ...(lane ? { lane } : {}),
});

function planOf(steps: Step[]): RotationPlan {
  const identity = { caPem: '', certPem: '', keyPem: '' };
  return {
    runId: '20261204-000000-aaaa',
    scenario: 'online',
    createdAt: new Date().toISOString(),
    coordinator: 'm1',
    validity: '50y',
    masters: [],
    identities: { current: identity, new: identity },
    finalServed: {},
    phases: [{ name: 'one', title: 'one phase', identity: 'current', steps }],
  };
}

async function run(ctx: Ctx, plan: RotationPlan): Promise<string[]> {
  const lines: string[] = [];
  await executePlan({
    plan,
    sessions: ctx.sessions,
    cluster: {} as ClusterAccess,
    emit: (event) => lines.push(event.kind === 'step' ? `${event.host}: ${event.message}` : event.kind),
    journal: createProgressJournal(plan.runId, ctx.sessions.get('m1')!, ctx.sessions),
    root: ctx.roots['m1']!,
    signers: async () => [],
    interrupted: () => false,
  });
  return lines;
}

const exists = (root: string, file: string) => readFile(path.join(root, file)).then(() => true, () => false);

lanes('a lane runs while another one waits in its step, and each keeps its order', async (ctx) => {
  const plan = planOf([write('m1', '/a/held', 'slow'), write('m1', '/a/after', 'slow'), write('m2', '/b/one', 'fast'), write('m2', '/b/two', 'fast')]);
  const running = run(ctx, plan);
  while (!ctx.began.includes('m2:/b/two')) await new Promise((r) => setTimeout(r, 5));
  assert.equal(ctx.began, ['m1:/a/held', 'm2:/b/one', 'm2:/b/two'], 'the fast lane finished while the slow one was held');
  ctx.release();
  await running;
  assert.equal(ctx.began, ['m1:/a/held', 'm2:/b/one', 'm2:/b/two', 'm1:/a/after']);
  assert.ok(await exists(ctx.roots['m1']!, '/a/after'));
});

lanes('a failing lane stops the other before its next step, and the run fails naming the phase', async (ctx) => {
  // A file where the folder should be: the write into it fails.
  const plan = planOf([write('m1', '/x', 'a'), write('m1', '/x/y', 'a'), write('m2', '/b/held', 'b'), write('m2', '/b/next', 'b')]);
  const running = run(ctx, plan).then(() => undefined, (error: unknown) => error);
  while (!ctx.began.includes('m1:/x/y')) await new Promise((r) => setTimeout(r, 5));
  ctx.release();
  const error = await running;
  assert.instance(error, RunFailedError);
  assert.match((error as Error).message, /^phase one: /);
  assert.ok(await exists(ctx.roots['m2']!, '/b/held'), 'the step in progress finished');
  assert.not.ok(await exists(ctx.roots['m2']!, '/b/next'), 'no step of the other lane started after the failure');
});

lanes('a resumed run skips the steps done and continues every lane where it stopped', async (ctx) => {
  const plan = planOf([write('m1', '/a/1', 'a'), write('m1', '/a/2', 'a'), write('m2', '/b/1', 'b'), write('m2', '/b/2', 'b')]);
  const journal = createProgressJournal(plan.runId, ctx.sessions.get('m1')!, ctx.sessions);
  await journal.stepDone('0.0', 'one', plan.phases[0]!.steps[0]!);
  await journal.stepDone('0.2', 'one', plan.phases[0]!.steps[2]!);
  ctx.release();
  await run(ctx, plan);
  assert.equal(ctx.began.sort(), ['m1:/a/2', 'm2:/b/2']);
  assert.equal([...(await journal.completedSteps())].sort(), ['0.0', '0.1', '0.2', '0.3']);
});

lanes('steps without a lane run one after another', async (ctx) => {
  const plan = planOf([write('m1', '/a/held'), write('m2', '/b/one')]);
  const running = run(ctx, plan);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(ctx.began, ['m1:/a/held']);
  ctx.release();
  await running;
  assert.equal(ctx.began, ['m1:/a/held', 'm2:/b/one']);
});

lanes.run();
