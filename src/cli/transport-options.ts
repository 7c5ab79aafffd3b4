import { defaultCredentials } from '../cloud/credentials.js';
import { describeMasterInstances, discoverMasterInstances, type MasterInstances } from '../cloud/discovery.js';
import { createEcsApi } from '../cloud/ecs-api.js';
import { createMetadataClient } from '../cloud/metadata.js';
import { UsageError } from '../errors.js';
import { cloudAssistantTransport } from '../remote/cloud-assistant/transport.js';
import type { SshOptions } from '../remote/ssh-options.js';
import { sshTransport } from '../remote/ssh-transport.js';
import type { PeerTarget, PeerTransportFactory } from '../remote/transport.js';
import { choiceFlag, integerFlag, stringFlag, type ParsedArgs } from './args.js';

/** The flags choosing how the peers are found and reached. */
export const TRANSPORT_FLAGS = ['transport', 'discover', 'cluster-id', 'region', 'listen', 'callback-timeout'];

export const TRANSPORT_FLAGS_HELP = `  --transport T       how to start the agent on the peers: ssh (default) or
                      cloud-assistant (ECS RunCommand; no SSH between masters needed)
  --discover D        local (default with ssh): the members from the etcd unit;
                      ecs (default with cloud-assistant): also match them to the
                      cluster's ECS instances (tag ack.aliyun.com) by private IP
  --cluster-id ID     the ACK cluster id (default: this instance's ack.aliyun.com tag)
  --region R          the ECS region (default: from the instance metadata)
  --listen A[:P]      where the agents started by cloud-assistant call back: an
                      address of this master (default its etcd IP), port (default any)
  --callback-timeout S  seconds a started agent may take to call back (default 120)`;

/**
 * Builds the run's transport from the flags. Credentials for the ECS API come
 * from ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (and _SECURITY_TOKEN) or the
 * instance RAM role; ETCD_ROTATE_ECS_ENDPOINT overrides the API endpoint.
 */
export function transportFromFlags(
  args: ParsedArgs,
  common: { peerCommand: string; root: string; ssh: SshOptions; log: (line: string) => void },
): PeerTransportFactory {
  const transport = choiceFlag(args, 'transport', ['ssh', 'cloud-assistant'] as const) ?? 'ssh';
  const discover = choiceFlag(args, 'discover', ['local', 'ecs'] as const) ?? (transport === 'ssh' ? 'local' : 'ecs');
  const cloud = {
    region: stringFlag(args, 'region'),
    clusterId: stringFlag(args, 'cluster-id'),
    endpoint: process.env['ETCD_ROTATE_ECS_ENDPOINT'] || undefined,
  };
  if (transport === 'cloud-assistant' && discover === 'local') {
    throw new UsageError('--transport cloud-assistant needs the masters\' ECS instances: it cannot run with --discover local', {
      remedy: 'drop --discover local',
    });
  }
  if (discover === 'local' && (cloud.region || cloud.clusterId)) {
    throw new UsageError('--region and --cluster-id apply to --discover ecs only');
  }

  if (transport === 'ssh') {
    const ssh = sshTransport({ peerCommand: common.peerCommand, remoteRoot: common.root, ssh: common.ssh });
    return discover === 'ecs' ? withEcsReport(ssh, cloud, common.log) : ssh;
  }
  return cloudAssistantTransport({
    peerCommand: common.peerCommand,
    remoteRoot: common.root,
    listen: parseListen(stringFlag(args, 'listen')),
    callbackTimeoutMs: (integerFlag(args, 'callback-timeout', { min: 1, max: 3600 }) ?? 120) * 1000,
    ...defined(cloud),
    env: process.env,
    log: common.log,
  });
}

/** SSH with the members matched to ECS instances first, so mismatches stop the run early. */
function withEcsReport(
  inner: PeerTransportFactory,
  cloud: { region?: string | undefined; clusterId?: string | undefined },
  log: (line: string) => void,
): PeerTransportFactory {
  return async (context) => {
    const found = await findMasterInstances(context.members, cloud);
    for (const line of describeMasterInstances(found)) log(line);
    return inner(context);
  };
}

/**
 * Matches the etcd members to the cluster's ECS instances with the standard
 * credentials, the region from the flag or the metadata service, and
 * ETCD_ROTATE_ECS_ENDPOINT when set.
 */
export async function findMasterInstances(
  members: PeerTarget[],
  cloud: { region?: string | undefined; clusterId?: string | undefined },
): Promise<MasterInstances> {
  const metadata = createMetadataClient();
  const region = cloud.region ?? (await metadata.get('region-id'));
  const endpoint = process.env['ETCD_ROTATE_ECS_ENDPOINT'] || undefined;
  const api = createEcsApi({ region, credentials: defaultCredentials(process.env, metadata), ...defined({ endpoint }) });
  return discoverMasterInstances(api, members, { metadata, ...defined({ clusterId: cloud.clusterId }) });
}

/** Reads --listen: ADDRESS, ADDRESS:PORT, [IPv6]:PORT or :PORT. */
export function parseListen(text: string | undefined): { address?: string; port: number } {
  if (text === undefined) return { port: 0 };
  const match = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d{1,5}))?$/.exec(text);
  const port = Number(match?.[3] ?? 0);
  if (!match || port > 65535) throw new UsageError(`--listen takes ADDRESS, ADDRESS:PORT or :PORT, got "${text}"`);
  const address = match[1] ?? match[2];
  return address ? { address, port } : { port };
}

function defined<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}
