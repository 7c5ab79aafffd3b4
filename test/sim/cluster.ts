/** The running cluster: commands inside masters, etcdctl, members, teardown. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanUpSync, untrackCluster, type CleanupState } from './cleanup.js';
import { CLIENT_PORT, mapToHost } from './layout.js';
import { execInside, type ExecOptions } from './namespaces.js';
import type { CommandResult } from './run.js';
import type { EtcdctlOptions, MasterRef, SimCluster, SimMaster } from './types.js';

const CERT_DIR = '/var/lib/etcd/cert';

/** The implementation behind `createSimCluster`. */
export class RunningSimCluster implements SimCluster {
  readonly endpoints: readonly string[];
  createdInMs = 0;
  #tornDown = false;

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly masters: readonly SimMaster[],
    readonly natTable: string,
    readonly sshPort: number,
    private readonly cleanup: CleanupState,
    private readonly log: (line: string) => void,
  ) {
    this.endpoints = masters.map((m) => `https://${m.ip}:${CLIENT_PORT}`);
  }

  master(ref: MasterRef): SimMaster {
    const index = typeof ref === 'number' ? ref : ref.index;
    const m = this.masters.find((x) => x.index === index);
    if (m === undefined) {
      throw new Error(`no master ${index} in cluster ${this.id} (it has 1..${this.masters.length})`);
    }
    return m;
  }

  exec(master: MasterRef, argv: string[], opts?: ExecOptions): Promise<CommandResult> {
    if (this.#tornDown) throw new Error(`cluster ${this.id} was torn down; cannot run ${argv.join(' ')}`);
    return execInside(this.master(master).anchorPid, argv, opts);
  }

  etcdctl(master: MasterRef, argv: string[], opts: EtcdctlOptions = {}): Promise<CommandResult> {
    const m = this.master(master);
    const { endpoints = 'self', ...execOpts } = opts;
    const urls =
      endpoints === 'self'
        ? [`https://${m.ip}:${CLIENT_PORT}`]
        : endpoints === 'all'
          ? this.endpoints
          : endpoints;
    return this.exec(
      m,
      [
        'etcdctl',
        `--endpoints=${urls.join(',')}`,
        `--cacert=${CERT_DIR}/ca.pem`,
        `--cert=${CERT_DIR}/etcd-client.pem`,
        `--key=${CERT_DIR}/etcd-client-key.pem`,
        ...argv,
      ],
      { ...execOpts, env: { ETCDCTL_API: '3', ...execOpts.env } },
    );
  }

  systemctl(master: MasterRef, argv: string[]): Promise<CommandResult> {
    return this.exec(master, ['systemctl', ...argv]);
  }

  hostPath(master: MasterRef, path: string): string {
    return mapToHost(this.master(master).dir, path);
  }

  async stopMember(master: MasterRef): Promise<void> {
    await this.mustSystemctl(master, ['stop', 'etcd']);
  }

  async startMember(master: MasterRef): Promise<void> {
    await this.mustSystemctl(master, ['start', 'etcd']);
  }

  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: CommandResult | undefined;
    while (Date.now() < deadline) {
      last = await this.etcdctl(1, ['endpoint', 'health', '--command-timeout=2s'], {
        endpoints: 'all',
      });
      if (last.exitCode === 0) return;
      await sleep(200);
    }
    const logs = await Promise.all(
      this.masters.map(
        async (m) => `--- ${m.hostname} etcd log ---\n${await this.journal(m, 'etcd', 15)}`,
      ),
    );
    throw new Error(
      `cluster ${this.id} not healthy after ${timeoutMs} ms: ${(last?.stderr ?? '').trim()}\n${logs.join('\n')}`,
    );
  }

  async journal(master: MasterRef, unit = 'etcd', lines = 50): Promise<string> {
    const name = unit.includes('.') ? unit : `${unit}.service`;
    let text: string;
    try {
      text = await readFile(join(this.hostPath(master, '/var/log/sim'), `${name}.log`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
    return text.split('\n').filter(Boolean).slice(-lines).join('\n');
  }

  /**
   * Stopping every member gracefully at once can take seconds (leaders try to
   * hand over to peers that are stopping too), and the data is thrown away, so
   * teardown kills. With `keep`, members are stopped first, so the kept data
   * directories are clean.
   */
  async teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    if (this.cleanup.keepDir) {
      for (const m of this.masters) {
        const argv = ['systemctl', 'stop', 'etcd', 'sshd'];
        const r = await execInside(m.anchorPid, argv, { timeoutMs: 20_000 });
        if (r.exitCode !== 0) {
          this.log(`[sim] [${m.hostname}] stopping etcd and sshd: ${r.stderr.trim()}`);
        }
      }
    }
    cleanUpSync(this.cleanup);
    untrackCluster(this.dir);
    this.log(`[sim] cluster ${this.id} torn down`);
  }

  private async mustSystemctl(master: MasterRef, argv: string[]): Promise<void> {
    const r = await this.systemctl(master, argv);
    if (r.exitCode !== 0) {
      throw new Error(
        `systemctl ${argv.join(' ')} failed on ${this.master(master).hostname} (exit ${r.exitCode}): ${r.stderr.trim()}`,
      );
    }
  }
}
