import { inspectMaster } from '../agent/inspect.js';
import { PreflightError, messageOf } from '../errors.js';
import { openLocalSession } from '../remote/local-session.js';
import type { AgentSession } from '../remote/session.js';
import { openSshSession } from '../remote/ssh-session.js';
import type { SshOptions } from '../remote/ssh-options.js';
import { masterLayout } from './layout.js';
import type { MasterState } from './plan/index.js';

/** How to reach the other masters. */
export interface Reach {
  root: string;
  containerized: boolean;
  peerCommand: string;
  ssh: SshOptions;
  /** Lines the peers' agents write on stderr, with the master's name. */
  onPeerLog: (host: string, line: string) => void;
}

/** Sessions to every master and what each reported. */
export interface ConnectedCluster {
  localName: string;
  sessions: Map<string, AgentSession>;
  masters: MasterState[];
}

/**
 * Reads this master's etcd configuration, opens an agent on every other
 * member over SSH (all at once) and inspects them all. Any master that cannot
 * be reached stops the run here, before anything changed.
 */
export async function connectMasters(reach: Reach): Promise<ConnectedCluster> {
  const local = await inspectMaster(reach.root, reach.containerized);
  const localName = local.topology.etcd.localName;
  const sessions = new Map<string, AgentSession>([
    [localName, openLocalSession(localName, { root: reach.root, containerized: reach.containerized })],
  ]);

  const peers = local.topology.etcd.members.filter((m) => m.name !== localName);
  const opened = await Promise.allSettled(
    peers.map((m) =>
      openSshSession({
        host: m.name,
        address: m.ip,
        peerCommand: reach.peerCommand,
        remoteRoot: reach.root,
        ssh: reach.ssh,
        onLog: (line) => reach.onPeerLog(m.name, line),
      }),
    ),
  );
  const failures: string[] = [];
  opened.forEach((result, i) => {
    if (result.status === 'fulfilled') sessions.set(peers[i]!.name, result.value);
    else failures.push(messageOf(result.reason));
  });
  if (failures.length > 0) {
    await closeAll(sessions);
    throw new PreflightError(`preflight refused the run, nothing was changed: ${failures.join('; ')}`, {
      remedy: 'set up root SSH with keys and known_hosts between the masters (ssh -o BatchMode=yes must work), or pass --ssh-identity/--ssh-port/--ssh-user',
    });
  }

  const inspections = await Promise.all(
    [...sessions.entries()].map(async ([name, session]) => ({
      name,
      inspection: name === localName ? local : await session.call('inspect', {}),
    })),
  );
  const masters = inspections
    .map(({ name, inspection }) => ({ name, inspection, layout: masterLayout(inspection) }))
    .sort((a, b) => memberOrder(local, a.name) - memberOrder(local, b.name));
  return { localName, sessions, masters };
}

/** Closes every session, waiting for the peers' agents to exit. */
export async function closeAll(sessions: Map<string, AgentSession>): Promise<void> {
  await Promise.all([...sessions.values()].map((s) => s.close().catch(() => undefined)));
}

function memberOrder(local: { topology: { etcd: { members: { name: string }[] } } }, name: string): number {
  return local.topology.etcd.members.findIndex((m) => m.name === name);
}
