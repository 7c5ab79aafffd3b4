import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import type { RetryPolicy } from '../../cloud/api-errors.js';
import { defaultCredentials } from '../../cloud/credentials.js';
import { describeMasterInstances, discoverMasterInstances } from '../../cloud/discovery.js';
import { createEcsApi, type EcsApi } from '../../cloud/ecs-api.js';
import { createMetadataClient } from '../../cloud/metadata.js';
import { OperatorError } from '../../errors.js';
import type { PeerTarget, PeerTransportFactory } from '../transport.js';
import { startCallbackListener } from './listener.js';
import { describeEndedInvocation, watchInvocation } from './invocation.js';
import { agentScript } from './script.js';
import { CallbackSession } from './session.js';

/** Longest a peer's agent may live: the invocation's Timeout (it exits when the run closes it). */
const INVOCATION_TIMEOUT_S = 6 * 3600;

/** Options of `--transport cloud-assistant`. */
export interface CloudAssistantOptions {
  peerCommand: string;
  remoteRoot: string;
  /** Where the callback listener binds; default this master's etcd address, any free port. */
  listen: { address?: string; port: number };
  region?: string;
  clusterId?: string;
  /** The ECS endpoint URL; default https://ecs.<region>.aliyuncs.com. */
  endpoint?: string;
  env: NodeJS.ProcessEnv;
  /** Progress lines (discovery, refused callbacks). */
  log: (line: string) => void;
  /** How long a started agent may take to call back; default 120 s. */
  callbackTimeoutMs?: number;
  /** How often to ask Cloud Assistant about an invocation while waiting; default 2 s. */
  pollIntervalMs?: number;
  retry?: RetryPolicy;
}

/**
 * Starts each peer's agent with RunCommand and lets it call back over TLS,
 * so no SSH is needed between the masters. The peers are found with
 * DescribeInstances (tag ack.aliyun.com) and matched by private IP.
 */
export function cloudAssistantTransport(options: CloudAssistantOptions): PeerTransportFactory {
  return async (context) => {
    const metadata = createMetadataClient();
    const region = options.region ?? (await metadata.get('region-id'));
    const api = createEcsApi({
      region,
      credentials: defaultCredentials(options.env, metadata),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const found = await discoverMasterInstances(api, context.members, {
      metadata,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
    });
    for (const line of describeMasterInstances(found)) options.log(line);

    const listenAddress = options.listen.address ?? context.local.ip;
    const listener = await startCallbackListener(listenAddress, options.listen.port, (line) =>
      options.log(`refused a callback: ${line}`),
    );
    const timing = { callbackMs: options.callbackTimeoutMs ?? 120_000, pollMs: options.pollIntervalMs ?? 2_000 };

    return {
      remedyFor: (failures) => {
        const own = failures
          .map((f) => (f instanceof OperatorError ? f.remedy : undefined))
          .filter((r) => r !== undefined);
        const fallback = `check that Cloud Assistant runs on every master, that --peer-command starts etcd-rotate there, and that the masters can reach ${listener.url} (--listen)`;
        return own.length > 0 ? [...new Set(own)].join('; ') : fallback;
      },
      async open(peer) {
        const instanceId = found.byMember.get(peer.name)!.instanceId;
        const expectation = listener.expect(peer);
        const script = agentScript({
          peerCommand: options.peerCommand,
          remoteRoot: options.remoteRoot,
          url: listener.url,
          fingerprint: listener.fingerprint,
          bindAddress: peer.ip,
          token: expectation.token,
        });
        let invokeId: string;
        try {
          invokeId = await api.runCommand({ instanceId, name: 'etcd-rotate-agent', script, timeoutS: INVOCATION_TIMEOUT_S });
        } catch (error) {
          expectation.cancel(error as Error);
          throw error;
        }

        const socket = await awaitCallback(api, peer, instanceId, invokeId, expectation.connected, timing);
        const session = new CallbackSession(peer.name, instanceId, socket, () => describeEndedInvocation(api, invokeId, instanceId));
        await session.call('hello', {}, { timeoutMs: 30_000 });
        return session;
      },
      finishOpening: () => listener.close(),
    };
  };
}

/**
 * Waits for the agent's callback while watching its invocation: an
 * invocation that ends first, or no callback in time, fails with what Cloud
 * Assistant reported.
 */
async function awaitCallback(
  api: EcsApi,
  peer: PeerTarget,
  instanceId: string,
  invokeId: string,
  connected: Promise<TLSSocket>,
  timing: { callbackMs: number; pollMs: number },
): Promise<TLSSocket> {
  const watch = new AbortController();
  const where = `${peer.name} (${instanceId}, invocation ${invokeId})`;
  try {
    return await Promise.race([
      connected,
      watchInvocation(api, invokeId, instanceId, { ...timing, signal: watch.signal, where }),
    ]);
  } finally {
    watch.abort();
    await sleep(0);
  }
}
