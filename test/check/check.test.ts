import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { runCli } from '../support/cli.js';
import { certificateFiles } from '../support/expiry.js';
import { loud } from '../support/hooks.js';

interface Ctx {
  cluster: SimCluster;
  root: string;
}

const test = suite<Ctx>('check on a master laid out by the vendor\'s installer');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3, startEtcd: false });
  ctx.root = ctx.cluster.master(1).dir;
}));
test.after(async (ctx) => ctx.cluster?.teardown());

function opensslEndDate(file: string): string {
  const out = execFileSync('openssl', ['x509', '-noout', '-enddate', '-in', file], { encoding: 'utf8' });
  return new Date(out.trim().replace('notAfter=', '')).toISOString();
}

test('agrees with openssl -enddate on every certificate file (json)', async (ctx) => {
  const result = await runCli(['check', '--root', ctx.root, '--output', 'json']);
  assert.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { certificates: { path: string; notAfter: string; index?: number; kind: string; daysLeft: number; isCA: boolean; subject: string; issuer: string }[] };
  const files = await certificateFiles(ctx.cluster, 1);
  for (const file of files) {
    const entry = report.certificates.find((c) => c.path === file && (c.index ?? 1) === 1);
    assert.ok(entry, `no report for ${file}`);
    assert.is(entry.notAfter, opensslEndDate(path.join(ctx.root, file)), file);
    assert.type(entry.daysLeft, 'number');
    assert.type(entry.isCA, 'boolean');
    assert.ok(entry.subject.length > 0 && entry.issuer.length > 0);
  }
  const kubeconfigs = report.certificates.filter((c) => c.kind === 'kubeconfig');
  assert.is(kubeconfigs.length, 4, 'admin, controller-manager, scheduler and kubelet kubeconfigs');
});

test('prints the same dates in the table and as Prometheus seconds', async (ctx) => {
  const table = await runCli(['check', '--root', ctx.root]);
  const metrics = await runCli(['check', '--root', ctx.root, '--output', 'prometheus']);
  assert.is(table.code, 0);
  assert.is(metrics.code, 0);
  for (const file of await certificateFiles(ctx.cluster, 1)) {
    const iso = opensslEndDate(path.join(ctx.root, file));
    const seconds = Math.floor(Date.parse(iso) / 1000);
    const line = metrics.stdout.split('\n').find((l) => l.startsWith('etcd_rotate_certificate_not_after_seconds{') && l.includes(`path="${file}"`));
    assert.ok(line, `no metric for ${file}`);
    assert.is(Number(line.split(' ').pop()), seconds, file);
    const row = table.stdout.split('\n').find((l) => l.startsWith(`${file} `) || l.startsWith(`${file}  `) || l.startsWith(`${file} [1/`));
    assert.ok(row, `no table row for ${file}`);
    const d = new Date(iso);
    assert.ok(row.includes(String(d.getUTCFullYear())), `${file}: ${row}`);
  }
  assert.match(metrics.stdout, /# TYPE etcd_rotate_certificate_not_after_seconds gauge/);
});

test('exits 1 when something expires within --warn-days', async (ctx) => {
  // kubeadm leaves are issued for one year by the simulated installer.
  const result = await runCli(['check', '--root', ctx.root, '--warn-days', '400']);
  assert.is(result.code, 1);
  assert.match(result.stdout, /WARNING: \/etc\/kubernetes\/pki\/apiserver\.crt: expires in \d+ days/);
});

const bad = suite<Ctx & { copy: string }>('check refuses bad input with one clear line');

bad.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3, startEtcd: false });
  ctx.root = ctx.cluster.master(1).dir;
}));
bad.after(async (ctx) => ctx.cluster?.teardown());
bad.before.each(async (ctx) => {
  ctx.copy = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-check-'));
  for (const dir of ['var/lib/etcd/cert', 'etc/kubernetes', 'usr/lib/systemd/system']) {
    await cp(path.join(ctx.root, dir), path.join(ctx.copy, dir), { recursive: true });
  }
});
bad.after.each(async (ctx) => rm(ctx.copy, { recursive: true, force: true }));

const certDir = (ctx: { copy: string }) => path.join(ctx.copy, 'var/lib/etcd/cert');

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.ok(lines.length >= 1 && lines.every((l) => l.startsWith('etcd-rotate: ')), stderr);
  assert.ok(lines.some((l) => pattern.test(l)), stderr);
  assert.not.match(stderr, /\n\s+at /, 'no stack trace');
}

bad('a malformed PEM certificate exits 2 and names the file', async (ctx) => {
  await writeFile(path.join(certDir(ctx), 'etcd-server.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n');
  const result = await runCli(['check', '--root', ctx.copy, '--output', 'json']);
  assert.is(result.code, 2);
  oneLine(result.stderr, /\/var\/lib\/etcd\/cert\/etcd-server\.pem/);
});

bad('DER where PEM is expected exits 2 and says so', async (ctx) => {
  const der = execFileSync('openssl', ['x509', '-in', path.join(certDir(ctx), 'ca.pem'), '-outform', 'DER']);
  await writeFile(path.join(certDir(ctx), 'ca.pem'), der);
  const result = await runCli(['check', '--root', ctx.copy, '--output', 'json']);
  assert.is(result.code, 2);
  oneLine(result.stderr, /ca\.pem.*DER/i);
});

bad('a key that does not match its certificate exits 1 with MISMATCH', async (ctx) => {
  const other = await readFile(path.join(certDir(ctx), 'etcd-client-key.pem'));
  await writeFile(path.join(certDir(ctx), 'etcd-server-key.pem'), other);
  const result = await runCli(['check', '--root', ctx.copy]);
  assert.is(result.code, 1);
  assert.match(result.stdout, /MISMATCH/);
  assert.match(result.stdout, /etcd-server-key\.pem does not match/);
  assert.not.match(result.stdout + result.stderr, /PRIVATE KEY/);
});

bad('an encrypted key is reported as encrypted, without its contents', async (ctx) => {
  const key = path.join(certDir(ctx), 'etcd-client-key.pem');
  execFileSync('openssl', ['pkey', '-in', key, '-out', `${key}.enc`, '-aes256', '-passout', 'pass:secret']);
  await cp(`${key}.enc`, key);
  await rm(`${key}.enc`);
  const result = await runCli(['check', '--root', ctx.copy]);
  assert.is(result.code, 1);
  assert.match(result.stdout, /encrypted/);
  assert.not.match(result.stdout + result.stderr, /ENCRYPTED PRIVATE KEY|secret/);
});

bad('an empty root exits 2 saying where it looked', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-empty-'));
  const result = await runCli(['check', '--root', empty]);
  await rm(empty, { recursive: true });
  assert.is(result.code, 2);
  oneLine(result.stderr, /no certificates found in \/var\/lib\/etcd\/cert/);
});

bad('a file it may not read exits 2 (run as an unprivileged user)', async (ctx) => {
  await chmod(path.join(certDir(ctx), 'etcd-server.pem'), 0o000);
  await chmod(ctx.copy, 0o755);
  const cli = path.resolve('dist/cli.js');
  let code = 0;
  let stderr = '';
  try {
    execFileSync('node', [cli, 'check', '--root', ctx.copy], { uid: 65534, gid: 65534, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    code = (error as { status: number }).status;
    stderr = (error as { stderr: string }).stderr;
  }
  assert.is(code, 2, stderr);
  oneLine(stderr, /cannot (read|list)/);
});

bad('an unknown flag exits 2 and changes nothing', async (ctx) => {
  const result = await runCli(['check', '--root', ctx.copy, '--warn-dayz', '3']);
  assert.is(result.code, 2);
  oneLine(result.stderr, /unknown flag --warn-dayz/);
});

bad('discover refuses a unit without --initial-cluster', async (ctx) => {
  const unit = path.join(ctx.copy, 'usr/lib/systemd/system/etcd.service');
  const text = await readFile(unit, 'utf8');
  await writeFile(unit, text.replace(/--initial-cluster[ =][^\s\\]+/, ''));
  const result = await runCli(['discover', '--root', ctx.copy]);
  assert.is(result.code, 2);
  oneLine(result.stderr, /initial-cluster/);
});

test.run();
bad.run();
