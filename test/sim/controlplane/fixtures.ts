/**
 * Helpers for the control-plane stand-in tests: a small PKI made with the openssl CLI, a
 * single-member TLS etcd, the kubelet stand-in, crictl, and HTTPS probes.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);

/** This folder: the stand-ins live here. */
export const STAND_INS = fileURLToPath(new URL('.', import.meta.url));

/** A certificate and its key, as file paths. */
export interface Pair {
  cert: string;
  key: string;
}

/** What `issue` signs. */
export interface IssueSpec {
  subject: string;
  /** openssl extension lines. */
  extensions: string[];
  /** The CA; absent for a self-signed CA. */
  ca?: Pair;
}

const CA_EXTENSIONS = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
];

/** Issues `<dir>/<base>.crt` and `.key` (P-256, one day). */
export async function issue(dir: string, base: string, spec: IssueSpec): Promise<Pair> {
  await mkdir(dir, { recursive: true });
  const pair = { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`) };
  const extFile = join(dir, `${base}.ext`);
  await writeFile(extFile, `[ext]\n${spec.extensions.join('\n')}\n`);
  await run('openssl', [
    'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pair.key,
  ]);
  const csr = join(dir, `${base}.csr`);
  await run('openssl', ['req', '-new', '-key', pair.key, '-subj', spec.subject, '-out', csr]);
  const signer = spec.ca
    // A serial of its own: with -CAcreateserial, leaves of one CA issued at once race on its .srl file.
    ? ['-CA', spec.ca.cert, '-CAkey', spec.ca.key, '-set_serial', `0x${randomBytes(8).toString('hex')}`]
    : ['-signkey', pair.key];
  await run('openssl', [
    'x509', '-req', '-in', csr, ...signer, '-days', '1', '-sha256',
    '-extfile', extFile, '-extensions', 'ext', '-out', pair.cert,
  ]);
  return pair;
}

/** A self-signed CA. */
export function issueCa(dir: string, base: string, cn: string): Promise<Pair> {
  return issue(dir, base, { subject: `/CN=${cn}`, extensions: CA_EXTENSIONS });
}

/** A leaf with the given usages and IP SANs. */
export function issueLeaf(
  dir: string, base: string, ca: Pair, subject: string, usages: string[], ips: string[] = [],
): Promise<Pair> {
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usages.join(',')}`,
  ];
  if (ips.length > 0) extensions.push(`subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}`);
  return issue(dir, base, { subject, extensions, ca });
}

/** A running child process and how to stop it. */
export interface Running {
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `argv` with output appended to `logPath`. */
export async function startProcess(
  argv: string[], logPath: string, env: Record<string, string> = {},
): Promise<Running> {
  const fd = openSync(logPath, 'a');
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Starts a single-member etcd with client TLS and client-certificate auth. */
export async function startEtcd(
  dir: string, ip: string, server: Pair, trustedCa: string,
): Promise<Running> {
  return startProcess([
    'etcd', '--name', 'sim-test', '--data-dir', join(dir, 'etcd-data'),
    '--listen-client-urls', `https://${ip}:2379`, '--advertise-client-urls', `https://${ip}:2379`,
    '--listen-peer-urls', `http://${ip}:2380`, '--initial-advertise-peer-urls', `http://${ip}:2380`,
    '--initial-cluster', `sim-test=http://${ip}:2380`,
    '--client-cert-auth', '--trusted-ca-file', trustedCa,
    '--cert-file', server.cert, '--key-file', server.key,
  ], join(dir, 'etcd.log'));
}

/** The answer to an HTTPS GET, or the error that stopped it. */
export type Probe =
  | { ok: true; status: number; body: string }
  | { ok: false; error: string };

/** GETs `url` on a fresh connection, trusting `ca`, presenting `client` when given. */
export async function probe(
  url: string, opts: { ca?: string; client?: Pair; timeoutMs?: number; insecure?: boolean } = {},
): Promise<Probe> {
  const ca = opts.ca ? await readFile(opts.ca) : undefined;
  const cert = opts.client ? await readFile(opts.client.cert) : undefined;
  const key = opts.client ? await readFile(opts.client.key) : undefined;
  return new Promise((resolve) => {
    const req = https.get(url, {
      agent: false,
      ca,
      cert,
      key,
      rejectUnauthorized: !opts.insecure,
      timeout: opts.timeoutMs ?? 3000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ ok: false, error: error.message }));
  });
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Runs the crictl stand-in against `stateDir`. */
export async function crictl(
  stateDir: string, args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(STAND_INS, 'crictl.mjs'), ...args], {
      env: { ...process.env, CRICTL_STATE_DIR: stateDir },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A static pod manifest in kubeadm's shape. */
export function staticPodManifest(component: string, flags: string[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: { component, tier: 'control-plane' },
      name: component,
      namespace: 'kube-system',
    },
    spec: {
      containers: [{
        command: [component, ...flags],
        image: `registry-vpc.cn-hangzhou.aliyuncs.com/acs/${component}:v1.22.15-aliyun.1`,
        imagePullPolicy: 'IfNotPresent',
        name: component,
      }],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
    },
    status: {},
  });
}

/** A kubeconfig embedding `client`, trusting `ca`, pointing at `server`. */
export async function kubeconfig(
  server: string, ca: string, user: string, client: Pair,
): Promise<string> {
  const b64 = async (path: string) => (await readFile(path)).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{
      name: 'kubernetes',
      cluster: { 'certificate-authority-data': await b64(ca), server },
    }],
    contexts: [{ name: `${user}@kubernetes`, context: { cluster: 'kubernetes', user } }],
    'current-context': `${user}@kubernetes`,
    users: [{
      name: user,
      user: {
        'client-certificate-data': await b64(client.cert),
        'client-key-data': await b64(client.key),
      },
    }],
  });
}
