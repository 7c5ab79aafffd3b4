import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertEtcdKeysPrivate, assertExpiryAtLeast, readMasterFile } from '../support/assertions.js';
import { runTool } from '../support/tool.js';
import { startWriter, type WriterReport } from '../support/writer.js';
import { loud } from '../support/hooks.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

for (const size of [3, 5]) {
  const test = suite<{ cluster: SimCluster; before: Record<string, string>; writes: WriterReport; output: string; seconds: number }>(
    `rotate on ${size} healthy masters`,
  );

  test.before(loud(async (ctx) => {
    ctx.cluster = await createSimCluster({ size });
    const c = ctx.cluster;
    ctx.before = {
      ca: await readMasterFile(c, 1, '/var/lib/etcd/cert/ca.pem'),
      caKey: await readMasterFile(c, 1, '/var/lib/etcd/cert/ca-key.pem'),
      peerCaKey: await readMasterFile(c, 1, '/var/lib/etcd/cert/peer-ca-key.pem'),
      clientCert: await readMasterFile(c, 1, '/etc/kubernetes/pki/etcd/etcd-client.pem'),
      clientKey: await readMasterFile(c, 1, '/etc/kubernetes/pki/etcd/etcd-client-key.pem'),
    };
    const writer = startWriter(c.endpoints, {
      ca: c.hostPath(1, '/etc/kubernetes/pki/etcd/ca.pem'),
      cert: c.hostPath(1, '/etc/kubernetes/pki/etcd/etcd-client.pem'),
      key: c.hostPath(1, '/etc/kubernetes/pki/etcd/etcd-client-key.pem'),
    });
    const started = Date.now();
    const result = await runTool(c, 1, ['rotate', '--yes']);
    ctx.seconds = (Date.now() - started) / 1000;
    ctx.writes = await writer.stop();
    ctx.output = result.stdout + result.stderr;
    assert.is(result.exitCode, 0, ctx.output);
  }));

  test.after(async (ctx) => {
    await ctx.cluster?.teardown();
  });

  test('ends with the success line operators grep for', (ctx) => {
    assert.ok(ctx.output.includes(SUCCESS), ctx.output);
    process.stdout.write(`    (${size} masters rotated in ${ctx.seconds.toFixed(1)} s; ${ctx.writes.attempted} writes, longest stall ${ctx.writes.longestStallMs} ms)\n`);
  });

  test('loses no write while it runs', async (ctx) => {
    assert.ok(ctx.writes.attempted > 20, `only ${ctx.writes.attempted} writes attempted`);
    assert.equal(ctx.writes.errors, []);
    assert.is(ctx.writes.failed, 0);
    const count = await ctx.cluster.etcdctl(1, ['get', '/writer/', '--prefix', '--keys-only', '--write-out=json'], { endpoints: 'all' });
    const json = JSON.parse(count.stdout) as { count?: number };
    assert.is(json.count ?? 0, ctx.writes.written.length);
  });

  test('leaves every certificate expiring about 50 years ahead on every master', async (ctx) => {
    for (const m of ctx.cluster.masters) await assertExpiryAtLeast(ctx.cluster, m, 49.9);
  });

  test('makes new CA keys and drops the old CA from trust', async (ctx) => {
    const c = ctx.cluster;
    assert.is.not(await readMasterFile(c, 1, '/var/lib/etcd/cert/ca-key.pem'), ctx.before.caKey);
    assert.is.not(await readMasterFile(c, 1, '/var/lib/etcd/cert/peer-ca-key.pem'), ctx.before.peerCaKey);
    const ca = await readMasterFile(c, 1, '/var/lib/etcd/cert/ca.pem');
    assert.is(ca.match(/BEGIN CERTIFICATE/g)?.length, 1, 'ca.pem holds one CA');
    assert.not.ok(ca.includes(ctx.before.ca.trim()), 'the old CA is no longer trusted');
  });

  test('refuses a client certificate signed by the old CA', async (ctx) => {
    const c = ctx.cluster;
    const { writeFile, rm, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp(c.hostPath(1, '/var/lib/etcd-rotate/old-'));
    await writeFile(`${dir}/cert.pem`, ctx.before.clientCert);
    await writeFile(`${dir}/key.pem`, ctx.before.clientKey, { mode: 0o600 });
    const inMaster = `/var/lib/etcd-rotate/${dir.split('/').pop()}`;
    for (const endpoint of c.endpoints) {
      const result = await c.exec(1, [
        'etcdctl', '--endpoints', endpoint, '--cacert', '/var/lib/etcd/cert/ca.pem',
        '--cert', `${inMaster}/cert.pem`, '--key', `${inMaster}/key.pem`, '--command-timeout=3s', 'get', 'x',
      ]);
      assert.is.not(result.exitCode, 0, `${endpoint} accepted the old client certificate`);
    }
    await rm(dir, { recursive: true });
  });

  test('leaves private backups and no copy of the plan\'s keys behind', async (ctx) => {
    const { readdir, stat } = await import('node:fs/promises');
    for (const m of ctx.cluster.masters) {
      const backups = ctx.cluster.hostPath(m, '/var/lib/etcd-rotate/backups');
      for (const run of await readdir(backups)) {
        assert.is((await stat(`${backups}/${run}`)).mode & 0o777, 0o700, `${m.hostname} backup ${run}`);
      }
      const runs = ctx.cluster.hostPath(m, '/var/lib/etcd-rotate/runs');
      for (const run of await readdir(runs)) {
        assert.not.ok((await readdir(`${runs}/${run}`)).includes('plan.json'), `${m.hostname} still holds the plan of ${run}`);
        assert.ok((await readdir(`${runs}/${run}`)).includes('run.log'), `${m.hostname} has the run's log`);
      }
    }
  });

  test('keeps key files owned by etcd and private', async (ctx) => {
    for (const m of ctx.cluster.masters) await assertEtcdKeysPrivate(ctx.cluster, m);
  });

  test.run();
}
