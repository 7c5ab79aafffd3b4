import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, replaceEtcdCertificates, type SimCluster } from '../sim/index.js';
import { assertEtcdKeysPrivate, assertExpiryAtLeast } from '../support/assertions.js';
import { runTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';
const KEYS = 25;

interface Ctx {
  cluster: SimCluster;
  output: string;
  seconds: number;
}

const cases = [
  { expired: 'leaves' as const, title: 'rotate recovers a cluster whose leaves expired under valid CAs', plan: /renew the expired leaves in place under the current CAs[^]*the cluster serves again; planning the rotation[^]*Plan of run \S+: rotate online/ },
  { expired: 'all' as const, title: 'rotate resets a cluster whose CAs expired too', plan: /new set on every master, etcd members restarted together/ },
];

for (const { expired, title, plan } of cases) {
  const test = suite<Ctx>(title);

  test.before(loud(async (ctx) => {
    ctx.cluster = await createSimCluster({ size: 3 });
    const c = ctx.cluster;
    for (let i = 0; i < KEYS; i++) {
      const put = await c.etcdctl(1, ['put', `/data/${i}`, `value-${i}`]);
      assert.is(put.exitCode, 0, put.stderr);
    }
    await replaceEtcdCertificates(c, expired);
    const down = await c.etcdctl(1, ['get', '/data/0', '--command-timeout=2s'], { endpoints: 'all' });
    assert.is.not(down.exitCode, 0, 'the cluster should be down once its certificates expired');

    const started = Date.now();
    const result = await runTool(c, 1, ['rotate', '--yes']);
    ctx.seconds = (Date.now() - started) / 1000;
    ctx.output = result.stdout + result.stderr;
    assert.is(result.exitCode, 0, ctx.output);
  }));
  test.after(async (ctx) => ctx.cluster?.teardown());

  test('detects the expiry and picks the right plan', (ctx) => {
    assert.match(ctx.output, plan);
    assert.ok(ctx.output.includes(SUCCESS), ctx.output);
    process.stdout.write(`    (recovered and rotated in ${ctx.seconds.toFixed(1)} s)\n`);
  });

  test('keeps every key written before the expiry', async (ctx) => {
    const got = await ctx.cluster.etcdctl(1, ['get', '/data/', '--prefix', '--write-out=json'], { endpoints: 'all' });
    assert.is(got.exitCode, 0, got.stderr);
    const kvs = (JSON.parse(got.stdout) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
    assert.is(kvs.length, KEYS);
    for (const kv of kvs) {
      const key = Buffer.from(kv.key, 'base64').toString();
      assert.is(Buffer.from(kv.value, 'base64').toString(), `value-${key.split('/').pop()}`);
    }
  });

  test('leaves every member healthy and every certificate 50 years ahead', async (ctx) => {
    const health = await ctx.cluster.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
    assert.is(health.exitCode, 0, health.stdout + health.stderr);
    for (const m of ctx.cluster.masters) {
      await assertExpiryAtLeast(ctx.cluster, m, 49.9);
      await assertEtcdKeysPrivate(ctx.cluster, m);
    }
  });

  if (expired === 'all') {
    test('copies the coordinator\'s etcd data directory into the backup before restarting everything', async (ctx) => {
      const { readdir } = await import('node:fs/promises');
      const backups = ctx.cluster.hostPath(1, '/var/lib/etcd-rotate/backups');
      const [run] = await readdir(backups);
      const copy = await readdir(`${backups}/${run}/etcd-data`);
      assert.ok(copy.includes('member'), `etcd-data holds ${copy.join(', ')}`);
    });
  }

  test.run();
}
