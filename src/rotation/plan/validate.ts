import { isIP } from 'node:net';
import { PreflightError } from '../../errors.js';
import { findIssuer, parseCertificates, type CertificateInfo, type EtcdCertificateSet } from '../../pki/index.js';
import type { MasterState } from './context.js';

/**
 * Checks the new set against what the members actually run with, before any
 * file changes: the server certificate names every host in every member's
 * client URLs, each peer certificate names its member's peer hosts, every
 * leaf chains to its new CA, and the usages fit the roles etcd gives them.
 */
export function validateNewSet(masters: MasterState[], set: EtcdCertificateSet): void {
  const problems: string[] = [];
  const ca = parse(set.ca.certPem, 'new etcd CA');
  const peerCa = parse(set.peerCa.certPem, 'new peer CA');
  const server = parse(set.server.certPem, 'new server certificate');
  const client = parse(set.client.certPem, 'new client certificate');

  const check = (cert: CertificateInfo, what: string, issuer: CertificateInfo, usages: string[]) => {
    if (findIssuer(cert, [issuer]) !== issuer) problems.push(`${what} does not chain to ${issuer.subject}`);
    for (const usage of usages) {
      if (!cert.extKeyUsage.includes(usage)) problems.push(`${what} lacks the ${usage} usage`);
    }
  };
  check(server, 'the new server certificate', ca, ['serverAuth', 'clientAuth']);
  check(client, 'the new client certificate', ca, ['clientAuth']);

  for (const m of masters) {
    const { etcd } = m.inspection.topology;
    for (const url of [...etcd.listenClientUrls, ...etcd.advertiseClientUrls]) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (!covers(server, host)) problems.push(`the new server certificate does not name ${host} (${m.name} ${url})`);
    }
    const pem = set.peers[m.name]?.certPem;
    if (!pem) {
      problems.push(`no new peer certificate for ${m.name}`);
      continue;
    }
    const peer = parse(pem, `new peer certificate of ${m.name}`);
    check(peer, `the new peer certificate of ${m.name}`, peerCa, ['serverAuth', 'clientAuth']);
    for (const url of [...etcd.listenPeerUrls, ...etcd.initialAdvertisePeerUrls]) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (!covers(peer, host)) problems.push(`the new peer certificate of ${m.name} does not name ${host} (${url})`);
    }
  }

  if (problems.length > 0) {
    throw new PreflightError(`the new certificates would not fit the running configuration: ${problems.join('; ')}`, {
      remedy: 'nothing was changed; report this with the output of "etcd-rotate discover"',
    });
  }
}

/** True when `cert` names `host`; the wildcard listen addresses need no name. */
function covers(cert: CertificateInfo, host: string): boolean {
  if (host === '0.0.0.0' || host === '::') return true;
  return isIP(host) ? cert.ipAddresses.includes(host) : cert.dnsNames.includes(host);
}

function parse(pem: string, what: string): CertificateInfo {
  return parseCertificates(pem, what)[0]!;
}
