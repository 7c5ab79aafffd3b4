/**
 * A certificate file corrupted or deleted by hand between two runs. A plain
 * `rotate` refuses before its first change (exit 2), with one line naming the
 * master, the file and the remedy, and no private key in its output; every
 * master's files, lock and backups stay as they were. The remedy,
 * `rollback --yes`, writes a new consistent set over the damage. A run killed
 * mid-way, then tampered with: `rotate --resume` refuses the same way, and
 * the rollback takes the unfinished run over.
 */
import { readdir, readFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertEtcdKeysPrivate } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { loud } from '../support/hooks.js';
import { runTool, startTool } from '../support/tool.js';
import { assertRecovered, errorLine, putKeys, secondsSince, SUCCESS, timing } from './support.js';

const CERT_DIR = '/var/lib/etcd/cert';
const REMEDY = /"etcd-rotate rollback --yes"/;

const test = suite<{ cluster: SimCluster; written: Map<string, number> }>('a certificate file tampered with between two runs');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  ctx.written = new Map([['/faults/tampered', 20]]);
  await putKeys(ctx.cluster, '/faults/tampered', 20);
  const started = Date.now();
  const first = await runTool(ctx.cluster, 1, ['rotate', '--yes']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  timing(`first rotation in ${secondsSince(started)}`);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

async function sh(c: SimCluster, master: number, script: string): Promise<string> {
  const result = await c.exec(master, ['sh', '-ec', script]);
  assert.is(result.exitCode, 0, `${script}: ${result.stderr}`);
  return result.stdout;
}

/** Every file the tool may change, the run lock and the backups, on every master. */
async function state(c: SimCluster): Promise<unknown[]> {
  return Promise.all(c.masters.map(async (m) => ({
    files: await fileDigests(c, m),
    rotateState: (await readdir(c.hostPath(m, '/var/lib/etcd-rotate'), { recursive: true })).sort(),
  })));
}

/** No line of any private key held on any master appears in `text`. */
async function assertNoKeyMaterial(c: SimCluster, text: string): Promise<void> {
  assert.not.match(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  for (const m of c.masters) {
    for (const name of (await readdir(c.hostPath(m, CERT_DIR))).filter((n) => n.endsWith('-key.pem'))) {
      const pem = await readFile(c.hostPath(m, `${CERT_DIR}/${name}`), 'utf8');
      for (const line of pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))) {
        assert.ok(!text.includes(line), `a line of ${m.hostname}:${name} is in the output`);
      }
    }
  }
}

/**
 * `args` on master 1 refuses with exit 2 and one line naming each damaged
 * `files` entry's master and path with `why`, the remedy and no key; no
 * file, lock or backup changes on any master. Returns the line.
 */
async function assertRefused(c: SimCluster, args: string[], files: [number, string, RegExp][]): Promise<string> {
  const before = await state(c);
  const refused = await runTool(c, 1, args);
  assert.is(refused.exitCode, 2, refused.stdout + refused.stderr);
  const line = errorLine(refused.stderr);
  for (const [master, file, why] of files) {
    const named = `127.0.0.1${master}-name-${master} (master-${master}): ${file} `;
    assert.ok(line.includes(named), `${line} names ${named}`);
    assert.match(line.slice(line.indexOf(named) + named.length), why);
  }
  assert.match(line, /nothing was changed/);
  assert.match(line, REMEDY);
  assert.not.match(refused.stderr, /\n\s+at /, 'no stack trace');
  await assertNoKeyMaterial(c, refused.stdout + refused.stderr);
  assert.equal(await state(c), before, 'no file, lock or backup changed on any master');
  return line;
}

/** The remedy: a new consistent set on every master, the cluster whole again. */
async function rollBack(c: SimCluster, written: Map<string, number>): Promise<void> {
  const started = Date.now();
  const rollback = await runTool(c, 1, ['rollback', '--yes']);
  assert.is(rollback.exitCode, 0, rollback.stdout + rollback.stderr);
  assert.ok(rollback.stdout.includes(SUCCESS), rollback.stdout);
  await assertNoKeyMaterial(c, rollback.stdout + rollback.stderr);
  timing(`rollback --yes in ${secondsSince(started)}`);
  await assertRecovered(c, written);
  for (const m of c.masters) await assertEtcdKeysPrivate(c, m);
}

test('the server certificate overwritten with garbage on master 2: refused, rollback --yes recovers', async (ctx) => {
  const c = ctx.cluster;
  const file = `${CERT_DIR}/etcd-server.pem`;
  const attributes = `stat -c '%U:%G %a' ${file}`;
  const owner = await sh(c, 2, attributes);
  await sh(c, 2, `head -c 1200 /dev/urandom > ${file}`);
  assert.is(await sh(c, 2, attributes), owner, 'the garbage keeps owner and mode');

  timing(await assertRefused(c, ['rotate', '--yes'], [[2, file, /^is not a readable certificate: the file is binary/]]));
  await rollBack(c, ctx.written);
});

test('master 3\'s own peer certificate and member 1\'s peer key deleted there, a certificate over master 2\'s server key: refused, rollback --yes writes them again', async (ctx) => {
  const c = ctx.cluster;
  const own = `${CERT_DIR}/127.0.0.13-name-3.pem`;
  const otherKey = `${CERT_DIR}/127.0.0.11-name-1-key.pem`;
  const serverKey = `${CERT_DIR}/etcd-server-key.pem`;
  await sh(c, 3, `rm ${own} ${otherKey}`);
  await sh(c, 2, `cat ${CERT_DIR}/etcd-server.pem > ${serverKey}`);

  timing(await assertRefused(c, ['rotate', '--yes'], [
    [2, serverKey, /^is not a readable private key: it holds CERTIFICATE, no private key/],
    [3, own, /^is missing/],
    [3, otherKey, /^is missing/],
  ]));
  await rollBack(c, ctx.written);
  await sh(c, 3, `test -s ${own} && test -s ${otherKey}`);
  await sh(c, 2, `grep -q 'PRIVATE KEY' ${serverKey}`);
});

test('killed in trust-new, then a key copied over master 2\'s server certificate: --resume refuses, rollback --yes takes over', async (ctx) => {
  const c = ctx.cluster;
  await putKeys(c, '/faults/killed', 10);
  ctx.written.set('/faults/killed', 10);
  const run = startTool(c, 1, ['rotate', '--yes']);
  await run.waitFor(/\[trust-new\] \[[^\]]+\] etcd restarted/, 180_000);
  run.kill('SIGKILL');
  await run.exited;
  const file = `${CERT_DIR}/etcd-server.pem`;
  await sh(c, 2, `cat ${CERT_DIR}/etcd-server-key.pem > ${file}`);

  // Without the check, the resume stopped on "the cluster is not whole" and asked for another resume.
  const why = /^is not a readable certificate: it holds (RSA )?PRIVATE KEY, no CERTIFICATE/;
  timing(await assertRefused(c, ['rotate', '--resume', '--yes'], [[2, file, why]]));
  await rollBack(c, ctx.written);
});

test.run();
