import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { runTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';

/**
 * A full rotation while every process's argv and environment is sampled from
 * /proc, then the tool's output, the run log and journal of every master and
 * the service journals: no private key may show up in any of them.
 */
const test = suite<{ cluster: SimCluster; seen: Set<string>; output: string }>('private keys during a rotation');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.seen = new Set();
  // Short synchronous passes: asynchronous reads of every /proc entry would fill libuv's
  // threadpool and stall the test's own process plumbing.
  const sampler = setInterval(() => sampleProcesses(ctx.seen), 50);
  const result = await runTool(ctx.cluster, 1, ['rotate', '--yes']);
  clearInterval(sampler);
  ctx.output = result.stdout + result.stderr;
  assert.is(result.exitCode, 0, ctx.output);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

test('no process argv or environment, log, journal or output carries key material', async (ctx) => {
  const keys = await keyFragments(ctx.cluster);
  assert.ok(keys.size > 50, `expected the keys of 3 masters before and after, found ${keys.size}`);
  assert.ok(ctx.seen.size > 100, `sampled only ${ctx.seen.size} distinct argv/environment strings`);

  const places: [string, string][] = [['tool output', ctx.output]];
  for (const text of ctx.seen) places.push(['a process argv or environment', text]);
  for (const m of ctx.cluster.masters) {
    for (const dir of ['/var/lib/etcd-rotate/runs', '/var/log/sim']) {
      for (const file of await filesUnder(ctx.cluster.hostPath(m, dir))) {
        places.push([`${m.hostname}:${file}`, await readFile(file, 'latin1')]);
      }
    }
  }
  // The control: the same check finds a key where there is one.
  const keyFile = await readFile(ctx.cluster.hostPath(1, '/var/lib/etcd/cert/etcd-server-key.pem'), 'latin1');
  assert.ok(leaks(keyFile.replace(/-----[^-]+-----/g, ''), keys), 'the check must recognise a key');

  for (const [where, text] of places) {
    assert.not.match(text, /PRIVATE KEY-----/, `a PEM private key in ${where}`);
    if (leaks(text, keys)) assert.unreachable(`key material in ${where}`);
  }
});

/** True when `text`, with white space and escaped newlines removed, holds a piece of any key. */
function leaks(text: string, fragments: Set<string>): boolean {
  const flat = text.replace(/\\n|\s/g, '');
  for (const fragment of fragments) if (flat.includes(fragment)) return true;
  return false;
}

/** Distinct argv and environment strings of every process now running. */
function sampleProcesses(seen: Set<string>): void {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    for (const file of ['cmdline', 'environ']) {
      let text = '';
      try {
        text = readFileSync(`/proc/${pid}/${file}`, 'latin1');
      } catch {
        continue; // the process ended between the listing and the read
      }
      for (const part of text.split('\0')) if (part.length > 20) seen.add(part);
    }
  }
}

/** 48-character pieces of the base64 body of every private key on every master, before and after the run. */
async function keyFragments(cluster: SimCluster): Promise<Set<string>> {
  const fragments = new Set<string>();
  const add = (pem: string) => {
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
    for (let i = 0; i + 48 <= body.length; i += 48) fragments.add(body.slice(i, i + 48));
  };
  for (const m of cluster.masters) {
    const files = await filesUnder(cluster.hostPath(m, '/var/lib/etcd-rotate/backups'));
    files.push(...(await filesUnder(cluster.hostPath(m, '/var/lib/etcd/cert'))));
    files.push(...(await filesUnder(cluster.hostPath(m, '/etc/kubernetes'))));
    for (const file of files) {
      const text = await readFile(file, 'latin1');
      for (const pem of text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g) ?? []) add(pem);
      if (file.endsWith('.conf')) {
        const users = (parse(text) as { users?: { user?: Record<string, string> }[] }).users ?? [];
        for (const u of users) {
          const data = u.user?.['client-key-data'];
          if (data) add(Buffer.from(data, 'base64').toString());
        }
      }
    }
  }
  return fragments;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

test.run();
