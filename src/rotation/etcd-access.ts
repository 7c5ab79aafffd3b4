import {
  clusterHealth,
  EtcdCallError,
  memberStatus,
  moveLeader,
  probeServedCertificate,
  putAndGet,
  snapshot,
  waitForHealthy,
  type EtcdTls,
} from '../etcd/index.js';
import { RunFailedError } from '../errors.js';
import type { ClusterAccess, ClusterView, MemberEndpoint } from './cluster-access.js';
import { MIN_FREE_BYTES } from './preflight.js';
import type { EtcdIdentity } from './types.js';

/** The cluster through the etcd3 client, in terms of plan members. */
export function createEtcdAccess(): ClusterAccess {
  return {
    async view(members, identity) {
      const health = await clusterHealth(members.map((m) => m.clientUrl), tlsOf(identity));
      const view: ClusterView = { leader: undefined, healthy: [], unhealthy: [] };
      health.endpoints.forEach((endpoint, i) => {
        const member = members[i]!;
        if (endpoint.healthy) view.healthy.push(member.name);
        else view.unhealthy.push({ name: member.name, reason: endpoint.error?.message ?? 'not healthy' });
        if (endpoint.status && endpoint.status.memberId === health.leaderId) view.leader = member.name;
      });
      return view;
    },

    waitHealthy(member, identity, timeoutMs) {
      return waitForHealthy({ endpoint: member.clientUrl, tls: tlsOf(identity), timeoutMs });
    },

    async moveLeader(members, identity, to) {
      const started = Date.now();
      const target = await memberStatus(to.clientUrl, tlsOf(identity));
      await moveLeader(members.map((m) => m.clientUrl), tlsOf(identity), target.memberId);
      return Date.now() - started;
    },

    async servedFingerprint(url, identity) {
      const { hostname, port } = new URL(url);
      const served = await probeServedCertificate(hostname, Number(port), tlsOf(identity));
      return served.fingerprint256.replace(/:/g, '').toLowerCase();
    },

    async snapshot(member, identity, destination) {
      // The run's later backups and journal lines need the room preflight asked for.
      const result = await snapshot(member.clientUrl, tlsOf(identity), destination, { keepFreeBytes: MIN_FREE_BYTES });
      return { bytes: result.sizeBytes };
    },

    async refuses(member, identity) {
      try {
        await memberStatus(member.clientUrl, tlsOf(identity), { timeoutMs: 3_000 });
        return false;
      } catch (error) {
        if (!(error instanceof EtcdCallError)) throw error;
        return error.kind === 'client-certificate';
      }
    },

    async writeAndReadBack(members: MemberEndpoint[], identity) {
      const result = await putAndGet(members.map((m) => m.clientUrl), tlsOf(identity));
      if (!result.allMatched) {
        const seen = result.reads
          .filter((r) => !r.matched)
          .map((r) => `${r.endpoint}: ${r.error?.message ?? `read ${r.value ?? 'nothing'}`}`)
          .join('; ');
        throw new RunFailedError(`a write through ${result.writtenAt} was not read back from every member: ${seen}`);
      }
    },
  };
}

function tlsOf(identity: EtcdIdentity): EtcdTls {
  return { ca: Buffer.from(identity.caPem), cert: Buffer.from(identity.certPem), key: Buffer.from(identity.keyPem) };
}
