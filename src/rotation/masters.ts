import { inspectMaster } from '../agent/inspect.js';
import type { Inspection } from '../agent/protocol.js';
import { PreflightError, messageOf } from '../errors.js';
import { openLocalSession } from '../remote/local-session.js';
import type { AgentSession } from '../remote/session.js';
import type { PeerTransport, PeerTransportFactory } from '../remote/transport.js';
import { masterLayout } from './layout.js';
import type { MasterState } from './plan/index.js';

/** How to reach the other masters. */
export interface Reach {
  root: string;
  containerized: boolean;
  /** SSH (the default) or Cloud Assistant, chosen by --transport. */
  transport: PeerTransportFactory;
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
 * member through the run's transport (all at once) and inspects them all. Any master that cannot
 * be reached stops the run here, before anything changed.
 */
export async function connectMasters(
  reach: Reach,
  hooks: { onLocalInspected?: (local: Inspection) => void } = {},
): Promise<ConnectedCluster> {
  const local = await inspectMaster(reach.root, reach.containerized);
  hooks.onLocalInspected?.(local);
  const localName = local.topology.etcd.localName;
  const sessions = new Map<string, AgentSession>([
    [localName, openLocalSession(localName, { root: reach.root, containerized: reach.containerized })],
  ]);

  const members = local.topology.etcd.members.map((m) => ({ name: m.name, ip: m.ip }));
  const peers = members.filter((m) => m.name !== localName);
  let transport: PeerTransport;
  try {
    transport = await reach.transport({
      local: members.find((m) => m.name === localName)!,
      members,
      onPeerLog: reach.onPeerLog,
    });
  } catch (error) {
    await closeAll(sessions);
    throw error;
  }
  const opened = await Promise.allSettled(peers.map((m) => transport.open(m)));
  await transport.finishOpening();
  const failures: unknown[] = [];
  opened.forEach((result, i) => {
    if (result.status === 'fulfilled') sessions.set(peers[i]!.name, result.value);
    else failures.push(result.reason);
  });
  if (failures.length > 0) {
    await closeAll(sessions);
    throw new PreflightError(`preflight refused the run, nothing was changed: ${failures.map(messageOf).join('; ')}`, {
      remedy: transport.remedyFor(failures),
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

/** Every master inspected again through its session, in the same order (after a run changed them). */
export async function inspectAgain(connected: ConnectedCluster): Promise<MasterState[]> {
  return Promise.all(
    connected.masters.map(async ({ name }) => {
      const inspection = await connected.sessions.get(name)!.call('inspect', {});
      return { name, inspection, layout: masterLayout(inspection) };
    }),
  );
}

/** Closes every session, waiting for the peers' agents to exit. */
export async function closeAll(sessions: Map<string, AgentSession>): Promise<void> {
  await Promise.all([...sessions.values()].map((s) => s.close().catch(() => undefined)));
}

function memberOrder(local: { topology: { etcd: { members: { name: string }[] } } }, name: string): number {
  return local.topology.etcd.members.findIndex((m) => m.name === name);
}
