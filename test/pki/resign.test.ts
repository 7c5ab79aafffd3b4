import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type EtcdCertificateSet,
  issueCertificateAuthority,
  issueEtcdCertificateSet,
  keyMatchesCertificate,
  parseCertificate,
  parsePrivateKey,
  parseValidity,
  resignCertificate,
} from '../../src/pki/index.js';
import { type Scratch, ackMembers, openssl, scratch } from './support.js';

let s: Scratch;
let set: EtcdCertificateSet;

test.before(async () => {
  s = await scratch();
  set = await issueEtcdCertificateSet({ members: ackMembers(1), validityMs: parseValidity('1y') });
});

test.after(() => s.remove());

test('resignCertificate moves a leaf to another CA keeping its key, subject and SANs', async () => {
  const existing = parseCertificate(set.server.certPem, 'etcd-server.pem');
  const newCa = await issueCertificateAuthority({
    commonName: 'CA',
    validityMs: parseValidity('50y'),
  });
  const certPem = resignCertificate(
    existing,
    { ...newCa, source: 'new ca.pem' },
    { validityMs: parseValidity('50y') },
  );
  const cert = parseCertificate(certPem, 'resigned');

  assert.ok(keyMatchesCertificate(cert, parsePrivateKey(set.server.keyPem, 'etcd-server-key.pem')));
  assert.ok(cert.raw.subject.equals(existing.raw.subject));
  assert.equal(cert.ipAddresses, existing.ipAddresses);
  assert.equal(cert.extKeyUsage, existing.extKeyUsage);
  assert.is(cert.subjectKeyId, existing.subjectKeyId);
  assert.is.not(cert.authorityKeyId, existing.authorityKeyId);
  assert.is.not(cert.serialNumber, existing.serialNumber);

  await s.write('new-ca.pem', newCa.certPem);
  await s.write('resigned.pem', certPem);
  assert.match(
    await openssl(s.dir, 'verify', '-x509_strict', '-CAfile', 'new-ca.pem', 'resigned.pem'),
    'resigned.pem: OK',
  );
});

test.run();
