/**
 * Fills one master's directory with what the vendor's installer and kubeadm
 * leave on a master: etcd certificates and unit, Kubernetes PKI, kubeconfigs
 * and manifests, accounts, SSH files and the systemctl stand-in, with the
 * owners and modes found on real hosts.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEtcdUnit, type EtcdTuning } from './etcd-unit.js';
import { renderKubeconfig, renderManifests } from './kube-files.js';
import { KUBECONFIG_SUBJECTS } from './kube-pki.js';
import type { MasterFacts } from './layout.js';
import { knownHostsLine, renderSshClientConfig, renderSshdConfig, renderSshdUnit } from './ssh.js';
import { writeAccountFiles } from './users.js';

/** Cluster-wide inputs, produced once and copied to every master. */
export interface ClusterMaterial {
  all: readonly MasterFacts[];
  /** Staging directory of the etcd certificate set. */
  etcdPki: string;
  /** Staging directory of the shared Kubernetes CAs and sa key. */
  kubeShared: string;
  /** Per-master staging directory of Kubernetes leaves, by master index. */
  kubeLeaves: Map<number, string>;
  /** Path of the cluster-wide client key (and `.pub`). */
  clientKey: string;
  /** Host public keys, by master index. */
  hostKeys: Map<number, string>;
  sshPort: number;
  clusterToken: string;
  tuning: EtcdTuning;
}

const BIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'bin');
const CONTROL_PLANE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'controlplane');

/**
 * The systemctl stand-in's modules go to a directory beside its entry point in
 * each master's /usr/local/sbin, which PATH searches before /usr/bin.
 */
const SYSTEMCTL_LIB = '/usr/local/sbin/.systemctl';

const SYSTEMCTL_ENTRY = [
  '#!/usr/bin/env node',
  "'use strict';",
  '// systemctl stand-in of the etcd-rotate simulation; the code is in ./.systemctl/.',
  "require('./.systemctl/main.cjs').run();",
  '',
].join('\n');

/** Directories made in a master's root: in-master path, mode, owned by etcd. */
const MASTER_DIRS: [string, number, boolean][] = [
  ['/var/lib/etcd', 0o700, true],
  ['/var/lib/etcd/cert', 0o700, true],
  ['/etc/kubernetes', 0o755, false],
  ['/etc/kubernetes/pki', 0o755, false],
  ['/etc/kubernetes/pki/etcd', 0o755, false],
  ['/etc/kubernetes/manifests', 0o755, false],
  ['/usr/lib/systemd/system', 0o755, false],
  ['/etc/systemd/system', 0o755, false],
  ['/root/.ssh', 0o700, false],
  ['/var/lib/etcd-rotate', 0o700, false],
  ['/run/sim', 0o755, false],
  ['/run/sim/sshd', 0o755, false],
  ['/var/log/sim', 0o755, false],
  ['/usr/local/sbin', 0o755, false],
  ['/etc', 0o755, false],
];

/** Makes master `m`'s directory tree and installs every file into it. */
export async function installMaster(m: MasterFacts, c: ClusterMaterial): Promise<void> {
  const at = (p: string) => join(m.dir, p);
  for (const [p, mode, etcdOwned] of MASTER_DIRS) {
    await mkdir(at(p), { recursive: true });
    await chmod(at(p), mode);
    if (etcdOwned) await chown(at(p), m.etcdUid, m.etcdUid);
  }
  await writeAccountFiles(at('/etc/passwd'), at('/etc/group'), m.etcdUid);

  await installEtcdCertificates(m, c.etcdPki);
  await installKubernetes(m, c);
  const etcdUnit = renderEtcdUnit(m, c.all, c.clusterToken, c.tuning);
  await put(at('/usr/lib/systemd/system/etcd.service'), etcdUnit, 0o644);
  await put(at('/usr/lib/systemd/system/sshd.service'), renderSshdUnit(m, c.sshPort), 0o644);
  await put(at('/usr/lib/systemd/system/kubelet.service'), renderKubeletUnit(m), 0o644);
  await installSsh(m, c);
  await installStandIns(at);
}

async function put(path: string, text: string | Buffer, mode: number): Promise<void> {
  await writeFile(path, text);
  await chmod(path, mode);
}

/** The same set on every master, owned by this master's etcd, keys 0600. */
export async function installEtcdCertificates(m: MasterFacts, staging: string): Promise<void> {
  const certDir = join(m.dir, '/var/lib/etcd/cert');
  for (const name of await readdir(staging)) {
    const target = join(certDir, name);
    await copyFile(join(staging, name), target);
    await chmod(target, name.endsWith('-key.pem') ? 0o600 : 0o644);
    await chown(target, m.etcdUid, m.etcdUid);
  }
}

async function installKubernetes(m: MasterFacts, c: ClusterMaterial): Promise<void> {
  const pki = join(m.dir, '/etc/kubernetes/pki');
  const leaves = c.kubeLeaves.get(m.index) as string;
  const copy = async (from: string, to: string) => {
    await copyFile(from, to);
    await chmod(to, /\.key$|-key\.pem$/.test(to) ? 0o600 : 0o644);
  };

  const shared = ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub'];
  for (const f of shared) {
    await copy(join(c.kubeShared, f), join(pki, f));
  }
  for (const base of ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client']) {
    await copy(join(leaves, `${base}.crt`), join(pki, `${base}.crt`));
    await copy(join(leaves, `${base}.key`), join(pki, `${base}.key`));
  }
  for (const f of ['ca.pem', 'etcd-client.pem', 'etcd-client-key.pem']) {
    await copy(join(c.etcdPki, f), join(pki, 'etcd', f));
  }

  const caCert = await readFile(join(c.kubeShared, 'ca.crt'), 'utf8');
  for (const conf of Object.keys(KUBECONFIG_SUBJECTS)) {
    const text = renderKubeconfig(m, kubeconfigUser(conf, m), {
      caCert,
      clientCert: await readFile(join(leaves, `${conf}-client.crt`), 'utf8'),
      clientKey: await readFile(join(leaves, `${conf}-client.key`), 'utf8'),
    });
    await put(join(m.dir, `/etc/kubernetes/${conf}.conf`), text, 0o600);
  }
  for (const [file, text] of Object.entries(renderManifests(m, c.all))) {
    await put(join(m.dir, '/etc/kubernetes/manifests', file), text, 0o600);
  }
}

/** The user name kubeadm puts in each kubeconfig. */
function kubeconfigUser(conf: string, m: MasterFacts): string {
  if (conf === 'admin') return 'kubernetes-admin';
  if (conf === 'kubelet') return `system:node:${m.hostname}`;
  return `system:kube-${conf}`;
}

async function installSsh(m: MasterFacts, c: ClusterMaterial): Promise<void> {
  const ssh = join(m.dir, '/root/.ssh');
  const clientPub = await readFile(`${c.clientKey}.pub`, 'utf8');
  await put(join(ssh, 'id_ed25519'), await readFile(c.clientKey), 0o600);
  await put(join(ssh, 'id_ed25519.pub'), clientPub, 0o644);
  await put(join(ssh, 'authorized_keys'), clientPub, 0o600);
  const known = c.all.map((x) => knownHostsLine(x, c.sshPort, c.hostKeys.get(x.index) as string));
  await put(join(ssh, 'known_hosts'), `${known.join('\n')}\n`, 0o644);
  await put(join(ssh, 'config'), renderSshClientConfig(c.all, c.sshPort), 0o600);
  await put(join(m.dir, '/run/sim/sshd/sshd_config'), renderSshdConfig(m, c.sshPort), 0o644);
}

/** The systemctl stand-in (entry point and modules) and the journalctl stand-in. */
async function installStandIns(at: (p: string) => string): Promise<void> {
  await mkdir(at(SYSTEMCTL_LIB), { recursive: true, mode: 0o755 });
  for (const file of await readdir(join(BIN_DIR, 'systemctl'))) {
    await copyFile(join(BIN_DIR, 'systemctl', file), at(`${SYSTEMCTL_LIB}/${file}`));
    await chmod(at(`${SYSTEMCTL_LIB}/${file}`), 0o644);
  }
  await put(at('/usr/local/sbin/systemctl'), withNodeShebang(SYSTEMCTL_ENTRY), 0o755);
  const journalctl = await readFile(join(BIN_DIR, 'journalctl.cjs'), 'utf8');
  await put(at('/usr/local/sbin/journalctl'), withNodeShebang(journalctl), 0o755);
  // A link, not a copy: crictl.mjs imports its ./lib modules relative to itself.
  await rm(at('/usr/local/sbin/crictl'), { force: true });
  await symlink(join(CONTROL_PLANE_DIR, 'crictl.mjs'), at('/usr/local/sbin/crictl'));
}

/**
 * The kubelet unit: the stand-in runs the static pods of /etc/kubernetes/manifests,
 * mapping each command to the stand-in of that name. kube-apiserver gives up on an
 * unreachable etcd after 5 s instead of the real 20 s, to keep failing tests short.
 */
function renderKubeletUnit(m: MasterFacts): string {
  return [
    '[Unit]',
    `Description=kubelet stand-in of simulated ${m.hostname}`,
    '',
    '[Service]',
    'Environment=SIM_ETCD_DIAL_TIMEOUT=5s',
    `ExecStart=/usr/bin/env node ${join(CONTROL_PLANE_DIR, 'kubelet.mjs')} \\`,
    '  --pod-manifest-path=/etc/kubernetes/manifests \\',
    `  --hostname-override=${m.hostname} --node-ip=${m.ip} \\`,
    '  --state-dir=/run/sim/kubelet --pod-log-dir=/var/log/sim/pods',
    'Restart=always',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * When `node` is not where a service's PATH finds it, the shebang names this
 * Node binary instead of `/usr/bin/env node`.
 */
function withNodeShebang(text: string): string {
  if (['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].some((p) => existsSync(p))) return text;
  return text.replace(/^#!.*\n/, `#!${process.execPath}\n`);
}
