import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from './index.js';
import { mountNamespaceOf, processesInNamespace } from './namespaces.js';
import { natTableExists } from './nft.js';

const sim = suite<{ cluster: SimCluster }>('a 3-master simulated cluster');

sim.before(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
});

sim.after(async (ctx) => {
  await ctx.cluster?.teardown();
});

sim('comes up healthy on every member over client TLS', async ({ cluster }) => {
  const r = await cluster.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
  assert.is(r.exitCode, 0, r.stderr);
  for (const m of cluster.masters) assert.match(r.stdout + r.stderr, `https://${m.ip}:2379 is healthy`);
});

sim('lists three members named <IP>-name-<N> with https peer URLs', async ({ cluster }) => {
  const r = await cluster.etcdctl(2, ['member', 'list', '-w', 'simple']);
  assert.is(r.exitCode, 0, r.stderr);
  const names = r.stdout.trim().split('\n').map((l) => l.split(', ')[2]).sort();
  assert.equal(names, ['127.0.0.11-name-1', '127.0.0.12-name-2', '127.0.0.13-name-3']);
  assert.match(r.stdout, 'https://127.0.0.13:2380');
});

sim('replicates a put on one member to a get on another', async ({ cluster }) => {
  const put = await cluster.etcdctl(1, ['put', '/sim/greeting', 'hello']);
  assert.is(put.exitCode, 0, put.stderr);
  const get = await cluster.etcdctl(3, ['get', '/sim/greeting', '--print-value-only', '--consistency=s']);
  assert.is(get.stdout.trim(), 'hello');
});

sim('refuses a client without a certificate', async ({ cluster }) => {
  const r = await cluster.exec(1, [
    'etcdctl', '--endpoints=https://127.0.0.12:2379', '--cacert=/var/lib/etcd/cert/ca.pem',
    '--command-timeout=2s', 'get', '/sim/greeting',
  ]);
  assert.is.not(r.exitCode, 0);
});

sim('connects peers from their own addresses (peer certificates name only their IP)', async ({ cluster }) => {
  // The accepting side sees the translated source; the connecting socket still says 127.0.0.1.
  const r = await cluster.exec(1, ['ss', '-tnH', 'state', 'established', 'sport', '= :2380']);
  const sources = new Set(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[3]?.split(':')[0]));
  assert.ok(sources.size >= 3, `expected peer connections from each master, got ${[...sources].join(', ')}`);
  assert.not.ok(sources.has('127.0.0.1'), 'a peer connection came from 127.0.0.1');
});

sim('lets root ssh between masters with BatchMode and StrictHostKeyChecking', async ({ cluster }) => {
  for (const [from, to] of [[1, 2], [2, 3], [3, 1]] as const) {
    const r = await cluster.exec(from, [
      'ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-p', String(cluster.sshPort),
      `root@127.0.0.1${to}`, 'hostname',
    ]);
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(r.stdout.trim(), `master-${to}`);
  }
});

sim('gives each master its own host name and files', async ({ cluster }) => {
  const r = await cluster.exec(2, ['hostname']);
  assert.is(r.stdout.trim(), 'master-2');
  const peer = await cluster.exec(1, ['ls', '/var/lib/etcd/cert']);
  assert.match(peer.stdout, '127.0.0.13-name-3.pem');
  const hidden = await cluster.exec(1, ['ls', '-A', cluster.dir]);
  assert.is(hidden.stdout.trim(), '', 'the cluster directory is hidden inside a master');
});

sim('owns etcd files by that master\'s etcd uid with ACK modes', async ({ cluster }) => {
  for (const m of cluster.masters) {
    const certDir = cluster.hostPath(m, '/var/lib/etcd/cert');
    assert.is(statSync(certDir).mode & 0o777, 0o700);
    assert.is(statSync(certDir).uid, m.etcdUid);
    for (const f of readdirSync(certDir)) {
      const st = statSync(join(certDir, f));
      assert.is(st.uid, m.etcdUid, f);
      assert.is(st.gid, m.etcdUid, f);
      assert.is(st.mode & 0o777, f.endsWith('-key.pem') ? 0o600 : 0o644, f);
    }
    const passwd = readFileSync(cluster.hostPath(m, '/etc/passwd'), 'utf8');
    assert.match(passwd, `etcd:x:${m.etcdUid}:${m.etcdUid}:`);
    const id = await cluster.exec(m, ['id', '-u', 'etcd']);
    assert.is(id.stdout.trim(), String(m.etcdUid));
  }
});

sim('writes the ACK unit and the apiserver etcd flags', async ({ cluster }) => {
  const unit = readFileSync(cluster.hostPath(1, '/usr/lib/systemd/system/etcd.service'), 'utf8');
  assert.match(unit, 'User=etcd');
  assert.match(unit, '#Type=notify');
  assert.match(unit, '--data-dir=data.etcd --name 127.0.0.11-name-1 \\\n');
  const manifest = readFileSync(cluster.hostPath(3, '/etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8');
  assert.match(manifest, '--etcd-servers=https://127.0.0.11:2379,https://127.0.0.12:2379,https://127.0.0.13:2379');
  assert.match(manifest, '--etcd-keyfile=/etc/kubernetes/pki/etcd/etcd-client-key.pem');
  const admin = readFileSync(cluster.hostPath(3, '/etc/kubernetes/admin.conf'), 'utf8');
  assert.match(admin, 'client-certificate-data: ');
  assert.is(statSync(cluster.hostPath(3, '/etc/kubernetes/admin.conf')).mode & 0o777, 0o600);
});

sim('runs etcd as a systemd-like unit that stops, starts and reports its state', async ({ cluster }) => {
  const pid = await cluster.systemctl(2, ['show', '-p', 'MainPID', '--value', 'etcd']);
  assert.ok(Number(pid.stdout.trim()) > 0);
  const owner = statSync(`/proc/${pid.stdout.trim()}`).uid;
  assert.is(owner, cluster.master(2).etcdUid);

  await cluster.stopMember(2);
  const stopped = await cluster.systemctl(2, ['is-active', 'etcd']);
  assert.equal([stopped.stdout.trim(), stopped.exitCode], ['inactive', 3]);
  const none = await cluster.systemctl(2, ['show', '-p', 'MainPID', '--value', 'etcd.service']);
  assert.is(none.stdout.trim(), '0');

  await cluster.startMember(2);
  const again = await cluster.systemctl(2, ['start', 'etcd']);
  assert.is(again.exitCode, 0, 'start of a running unit is a no-op');
  const active = await cluster.systemctl(2, ['is-active', 'etcd']);
  assert.equal([active.stdout.trim(), active.exitCode], ['active', 0]);
  await cluster.waitHealthy(15_000);
  assert.match(await cluster.journal(2, 'etcd', 100_000), 'Started etcd.service');
});

sim('reports a unit whose process died as failed', async ({ cluster }) => {
  const kill = await cluster.systemctl(3, ['kill', '-s', 'SIGKILL', 'etcd']);
  assert.is(kill.exitCode, 0);
  let state = '';
  for (let i = 0; i < 40 && state !== 'failed'; i++) {
    state = (await cluster.systemctl(3, ['is-active', 'etcd'])).stdout.trim();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.is(state, 'failed');
  await cluster.startMember(3);
  await cluster.waitHealthy(15_000);
});

sim('keeps the loaded unit until daemon-reload, like systemd', async ({ cluster }) => {
  const path = '/etc/systemd/system/sim-echo.service';
  const write = (word: string) =>
    cluster.exec(1, ['tee', path], { input: `[Service]\nExecStart=/bin/sh -c "echo ${word}; exec sleep 60"\n` });
  await write('first');
  await cluster.systemctl(1, ['daemon-reload']);
  await cluster.systemctl(1, ['start', 'sim-echo']);
  await write('second');
  const restart = await cluster.systemctl(1, ['restart', 'sim-echo']);
  assert.match(restart.stderr, 'daemon-reload');
  await cluster.systemctl(1, ['daemon-reload']);
  await cluster.systemctl(1, ['restart', 'sim-echo']);
  await cluster.systemctl(1, ['stop', 'sim-echo']);
  const log = await cluster.journal(1, 'sim-echo');
  assert.equal(log.split('\n').filter((l) => !l.includes('systemd[1]')), ['first', 'first', 'second']);
});

sim('shows the unit journal through the journalctl stand-in', async ({ cluster }) => {
  const r = await cluster.exec(1, ['journalctl', '-u', 'etcd', '-n', '3', '--no-pager']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stdout.trim().split('\n').length, 3);
});

sim('answers systemctl exit codes for unknown units', async ({ cluster }) => {
  assert.is((await cluster.systemctl(1, ['start', 'nope'])).exitCode, 5);
  assert.is((await cluster.systemctl(1, ['status', 'nope'])).exitCode, 4);
  assert.is((await cluster.systemctl(1, ['is-active', 'nope'])).exitCode, 3);
});

sim('teardown leaves no processes, nftables table or directory', async ({ cluster }) => {
  const namespaces = cluster.masters.map((m) => mountNamespaceOf(m.anchorPid) as string);
  await cluster.teardown();
  await cluster.teardown();
  for (const ns of namespaces) assert.equal(processesInNamespace(ns), []);
  const uids = new Set(cluster.masters.map((m) => m.etcdUid));
  const leftovers = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = readFileSync(`/proc/${p}/status`, 'utf8');
        const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
        return uids.has(uid) && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    });
  assert.equal(leftovers, []);
  assert.not.ok(natTableExists(cluster.natTable));
  assert.throws(() => statSync(cluster.dir));
});

sim.run();
