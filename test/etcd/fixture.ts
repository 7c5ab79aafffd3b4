/**
 * A real three-member etcd cluster with client and peer TLS on 127.0.0.21-23,
 * for the tests of `src/etcd`. Readiness is judged with etcdctl, not with the
 * code under test. Every suite that calls `useEtcdCluster` shares one cluster,
 * started before the first of them and stopped after the last.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Test } from 'uvu';
import type { EtcdTls } from '../../src/etcd/index.js';
import { createCa, issueLeaf, type CaFiles, type LeafFiles } from './fixture-pki.js';

/** One member of the test cluster. */
export interface FixtureMember {
  name: string;
  ip: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logPath: string;
  /** This member's own server certificate (its IP and 127.0.0.1). */
  server: LeafFiles;
}

/** The running cluster and its files. */
export interface EtcdFixture {
  dir: string;
  members: FixtureMember[];
  endpoints: string[];
  ca: CaFiles;
  peer: LeafFiles;
  client: LeafFiles;
  /** The CA bundle and client certificate, as the etcd layer takes them. */
  tls: EtcdTls;
  /** Stops one member with SIGTERM and waits for it to exit. */
  stopMember(index: number): Promise<void>;
  /** Starts a stopped member again with the same data directory. */
  startMember(index: number): Promise<void>;
  /** Waits until etcdctl finds every member healthy. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** etcdctl with the client certificate, against the given endpoints. */
  etcdctl(args: string[], endpoints?: string[]): Promise<string>;
  /** Stops every member and removes the directory. */
  stop(): Promise<void>;
}

const IPS = ['127.0.0.21', '127.0.0.22', '127.0.0.23'];
const processes = new Set<ChildProcess>();

/** Creates the certificates and starts the three members. */
export async function startEtcdFixture(): Promise<EtcdFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-rotate-etcd-'));
  const ca = await createCa(dir, 'ca');
  const peer = await issueLeaf(dir, ca, {
    name: 'peer', commonName: 'etcd-peer', ips: [...IPS, '127.0.0.1'],
    usages: ['serverAuth', 'clientAuth'],
  });
  const client = await issueLeaf(dir, ca, {
    name: 'client', commonName: 'etcd-client', ips: ['127.0.0.1'], usages: ['clientAuth'],
  });
  const members = await Promise.all(IPS.map((ip, i) => describeMember(dir, ca, ip, i + 1)));

  const running: Array<ChildProcess | undefined> = [];
  const tls: EtcdTls = {
    ca: await readFile(ca.certPath),
    cert: await readFile(client.certPath),
    key: await readFile(client.keyPath),
  };
  const endpoints = members.map((m) => m.clientUrl);

  const fixture: EtcdFixture = {
    dir, members, endpoints, ca, peer, client, tls,
    async stopMember(index) {
      await stopProcess(running[index]);
      running[index] = undefined;
    },
    async startMember(index) {
      running[index] = await startMember(members, index, { ca, peer });
    },
    waitHealthy: (timeoutMs = 15_000) => waitHealthy(fixture, timeoutMs, () => {
      const index = running.findIndex((c) => c !== undefined && c.exitCode !== null);
      return index < 0 ? undefined : `${members[index]?.name} exited with ${running[index]?.exitCode}`;
    }),
    etcdctl: (args, eps = endpoints) => etcdctl(fixture, args, eps),
    async stop() {
      // One at a time: stopped together, members wait on each other's
      // leadership hand-off and take about 7 s instead of about 2 s.
      for (const child of running) await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    for (let i = 0; i < members.length; i++) await fixture.startMember(i);
    await fixture.waitHealthy();
  } catch (error) {
    // Ports 2379/2380 on 127.0.0.21-23 taken by another run is the usual cause.
    const logs = await Promise.all(members.map((m) => logTail(m)));
    await fixture.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
  return fixture;
}

let shared: Promise<EtcdFixture> | undefined;
let registered = 0;
let finished = 0;

/**
 * Gives `test` the shared cluster. Call it at module level: uvu imports every
 * test file before running any suite, so the count of users is complete when
 * the first `before` hook runs, and the last `after` hook stops the cluster.
 */
export function useEtcdCluster<T>(test: Test<T>): () => EtcdFixture {
  registered += 1;
  let fixture: EtcdFixture | undefined;

  test.before(async () => {
    shared ??= startEtcdFixture();
    fixture = await shared;
  });
  test.after(async () => {
    finished += 1;
    if (finished < registered || shared === undefined) return;
    const started = shared;
    shared = undefined;
    await (await started).stop();
  });

  return () => {
    if (fixture === undefined) throw new Error('the etcd test cluster did not start');
    return fixture;
  };
}

// A crash or --bail skips the after hooks; do not leave etcd processes behind.
process.on('exit', () => {
  for (const child of processes) child.kill('SIGKILL');
});

async function describeMember(
  dir: string, ca: CaFiles, ip: string, n: number,
): Promise<FixtureMember> {
  const name = `etcd-${n}`;
  const memberDir = join(dir, name);
  await mkdir(memberDir, { recursive: true });
  const server = await issueLeaf(memberDir, ca, {
    name: 'server', commonName: `etcd-server-${n}`, ips: [ip, '127.0.0.1'],
    usages: ['serverAuth', 'clientAuth'],
  });
  return {
    name, ip, server,
    clientUrl: `https://${ip}:2379`,
    peerUrl: `https://${ip}:2380`,
    dataDir: join(memberDir, 'data'),
    logPath: join(memberDir, 'etcd.log'),
  };
}

async function startMember(
  members: FixtureMember[], index: number, files: { ca: CaFiles; peer: LeafFiles },
): Promise<ChildProcess> {
  const m = members[index];
  if (m === undefined) throw new Error(`no member ${index}`);
  const log = await open(m.logPath, 'a');
  const child = spawn('etcd', [
    `--name=${m.name}`, `--data-dir=${m.dataDir}`,
    `--listen-client-urls=${m.clientUrl}`, `--advertise-client-urls=${m.clientUrl}`,
    `--listen-peer-urls=${m.peerUrl}`, `--initial-advertise-peer-urls=${m.peerUrl}`,
    `--initial-cluster=${members.map((x) => `${x.name}=${x.peerUrl}`).join(',')}`,
    '--initial-cluster-state=new', '--initial-cluster-token=etcd-rotate-test',
    '--client-cert-auth', `--trusted-ca-file=${files.ca.certPath}`,
    `--cert-file=${m.server.certPath}`, `--key-file=${m.server.keyPath}`,
    '--peer-client-cert-auth', `--peer-trusted-ca-file=${files.ca.certPath}`,
    `--peer-cert-file=${files.peer.certPath}`, `--peer-key-file=${files.peer.keyPath}`,
    '--heartbeat-interval=100', '--election-timeout=1000',
  ], { stdio: ['ignore', log.fd, log.fd] });
  const spawned = once(child, 'spawn');
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  try {
    await spawned;
  } finally {
    await log.close();
  }
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitHealthy(
  fixture: EtcdFixture, timeoutMs: number, exited: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== undefined) throw new Error(`the etcd test cluster is not running: ${gone}`);
    try {
      await fixture.etcdctl(['endpoint', 'health', '--command-timeout=1s']);
      return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the etcd test cluster did not become healthy in ${timeoutMs} ms: ${last}`);
}

async function logTail(member: FixtureMember): Promise<string> {
  const text = await readFile(member.logPath, 'utf8').catch(() => '(no log)');
  return `${member.name}:\n${text.trim().split('\n').slice(-5).join('\n')}`;
}

async function etcdctl(fixture: EtcdFixture, args: string[], endpoints: string[]): Promise<string> {
  const result = await execa('etcdctl', [
    `--endpoints=${endpoints.join(',')}`, `--cacert=${fixture.ca.certPath}`,
    `--cert=${fixture.client.certPath}`, `--key=${fixture.client.keyPath}`,
    '--dial-timeout=2s', ...args,
  ], { env: { ETCDCTL_API: '3' }, reject: false, timeout: 30_000 });
  if (result.exitCode !== 0) {
    throw new Error(`etcdctl ${args.join(' ')} failed: ${String(result.stderr).trim()}`);
  }
  return String(result.stdout);
}
