import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/errors.js';
import {
  type EtcdCertificateSet,
  issueCertificateAuthority,
  issueEtcdCertificateSet,
  parseCertificate,
  parseValidity,
} from '../../src/pki/index.js';
import { type Scratch, ackMembers, openssl, scratch, thrown } from './support.js';

const members = ackMembers(3);
const FIFTY_YEARS = parseValidity('50y');
let s: Scratch;
let set: EtcdCertificateSet;

/** Every file of the set as the ACK layout names it, with the CA file that must verify it. */
const leaves = () => [
  { file: 'etcd-server', ca: 'ca', pair: set.server },
  { file: 'etcd-client', ca: 'ca', pair: set.client },
  ...members.map((m) => ({ file: m.name, ca: 'peer-ca', pair: set.peers[m.name]! })),
];

test.before(async () => {
  s = await scratch();
  set = await issueEtcdCertificateSet({ members, validityMs: FIFTY_YEARS });
  const pairs = [{ file: 'ca', pair: set.ca }, { file: 'peer-ca', pair: set.peerCa }, ...leaves()];
  for (const { file, pair } of pairs) {
    await s.write(`${file}.pem`, pair.certPem);
    await s.write(`${file}-key.pem`, pair.keyPem);
  }
});

test.after(() => s.remove());

test('issueEtcdCertificateSet keeps the server SANs it is given, without duplicates', async () => {
  const again = await issueEtcdCertificateSet({
    members: ackMembers(1),
    validityMs: parseValidity('1y'),
    extraServerSans: {
      dnsNames: ['etcd.kube-system', 'localhost'],
      ipAddresses: ['10.1.0.9', '192.168.0.1'],
    },
  });
  const server = parseCertificate(again.server.certPem, 'etcd-server.pem');
  assert.equal(server.dnsNames, ['localhost', 'etcd.kube-system']);
  assert.equal(server.ipAddresses, ['192.168.0.1', '127.0.0.1', '10.1.0.9']);
});

test('issueEtcdCertificateSet signs new leaves with the CAs it is given', async () => {
  const renewed = await issueEtcdCertificateSet({
    members,
    validityMs: FIFTY_YEARS,
    ca: set.ca,
    peerCa: set.peerCa,
  });
  assert.is(renewed.ca, set.ca);
  assert.is(renewed.peerCa, set.peerCa);
  await s.write('renewed-server.pem', renewed.server.certPem);
  await s.write('renewed-peer.pem', renewed.peers[members[2]!.name]!.certPem);
  await openssl(s.dir, 'verify', '-CAfile', 'ca.pem', 'renewed-server.pem');
  await openssl(s.dir, 'verify', '-CAfile', 'peer-ca.pem', 'renewed-peer.pem');
  assert.is.not(renewed.server.keyPem, set.server.keyPem);
});

test('issueEtcdCertificateSet refuses an empty or duplicated member list', async () => {
  const empty = await thrown(() =>
    issueEtcdCertificateSet({ members: [], validityMs: FIFTY_YEARS }),
  );
  assert.instance(empty, UsageError);
  const twice = await thrown(() =>
    issueEtcdCertificateSet({ members: [...members, members[0]!], validityMs: FIFTY_YEARS }),
  );
  assert.instance(twice, UsageError);
  assert.match(twice.message, `"${members[0]!.name}" appears twice`);
});

test('issueEtcdCertificateSet puts a member named by host name into the DNS SANs', async () => {
  const hosts = [{ name: 'master-1', ip: 'master-1.internal', peerUrls: [], clientUrls: [] }];
  const named = await issueEtcdCertificateSet({ members: hosts, validityMs: FIFTY_YEARS });
  const peer = parseCertificate(named.peers['master-1']!.certPem, 'peer');
  assert.equal(peer.dnsNames, ['master-1.internal']);
  assert.equal(peer.ipAddresses, []);
});

test('issueCertificateAuthority puts the organization after the common name', async () => {
  const ca = await issueCertificateAuthority({
    commonName: 'kubernetes',
    organization: 'ACK',
    validityMs: FIFTY_YEARS,
  });
  const cert = parseCertificate(ca.certPem, 'ca.crt');
  assert.is(cert.subject, 'CN=kubernetes, O=ACK');
  assert.is(cert.issuer, cert.subject);
});

test('issueCertificateAuthority with a key keeps the key, so old leaves verify under the new CA', async () => {
  const renewed = await issueCertificateAuthority({
    commonName: 'CA',
    validityMs: parseValidity('100y'),
    keyPem: set.ca.keyPem,
  });
  assert.is(renewed.keyPem, set.ca.keyPem);
  assert.is.not(renewed.certPem, set.ca.certPem);
  await s.write('renewed-ca.pem', renewed.certPem);
  assert.match(
    await openssl(s.dir, 'verify', '-CAfile', 'renewed-ca.pem', 'etcd-server.pem'),
    'etcd-server.pem: OK',
  );
  const endYear = new Date(Date.now() + parseValidity('100y')).getUTCFullYear();
  assert.match(
    await openssl(s.dir, 'x509', '-in', 'renewed-ca.pem', '-noout', '-enddate'),
    ` ${endYear} GMT`,
  );
});

test.run();
