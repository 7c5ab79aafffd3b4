/**
 * The cluster's members, from the local member's `--initial-cluster`, with client URLs taken
 * from what the local member advertises and what kube-apiserver connects to. Pure.
 */

import { InputError } from '../errors.js';
import type { Member } from './types.js';

/** etcd's default client port, for a client URL that names none. */
const DEFAULT_CLIENT_PORT = '2379';

/** What the local member says about client URLs, and what kube-apiserver uses. */
export interface ClientUrlSources {
  localName: string;
  /** The local member's `--advertise-client-urls`. */
  advertiseClientUrls: string[];
  /** kube-apiserver's `--etcd-servers`, when known. */
  etcdServers: string[];
}

/**
 * Parses `--initial-cluster` ("name=peerURL,..."; a name may repeat for several peer URLs) into
 * members in order of first appearance, without client URLs. The member's IP is the host of
 * its first peer URL. Throws InputError naming `source` for an entry that is not name=URL.
 */
export function parseInitialCluster(value: string, source: string): Member[] {
  const members = new Map<string, Member>();

  for (const entry of value.split(',').map((part) => part.trim())) {
    const equals = entry.indexOf('=');
    const name = entry.slice(0, equals);
    const peerUrl = entry.slice(equals + 1);
    if (equals <= 0 || !URL.canParse(peerUrl)) {
      throw new InputError(
        `--initial-cluster in ${source} has the entry "${entry}", which is not name=peerURL`,
        { remedy: 'etcd would not start with it either: fix the entry, then run again' },
      );
    }

    const member = members.get(name);
    if (member) member.peerUrls.push(peerUrl);
    else members.set(name, { name, ip: hostOfUrl(peerUrl), peerUrls: [peerUrl], clientUrls: [] });
  }

  return [...members.values()];
}

/**
 * Gives each member its client URLs: the local member's are the URLs it advertises; another
 * member's are the `--etcd-servers` entries on its IP, or else `https://<ip>:<port>` with the
 * port of the local member's first client URL (the members of one cluster share a layout).
 */
export function assignClientUrls(members: Member[], sources: ClientUrlSources): Member[] {
  const firstLocal = sources.advertiseClientUrls[0];
  const port = (firstLocal && URL.canParse(firstLocal) ? new URL(firstLocal).port : '') ||
    DEFAULT_CLIENT_PORT;

  return members.map((member) => {
    if (member.name === sources.localName) {
      return { ...member, clientUrls: [...sources.advertiseClientUrls] };
    }
    const servers = sources.etcdServers.filter(
      (server) => URL.canParse(server) && hostOfUrl(server) === member.ip,
    );
    const host = member.ip.includes(':') ? `[${member.ip}]` : member.ip;
    return { ...member, clientUrls: servers.length > 0 ? servers : [`https://${host}:${port}`] };
  });
}

/** The host of a URL, without the brackets of an IPv6 address. */
export function hostOfUrl(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}
