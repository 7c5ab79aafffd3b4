import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type EtcdCertificateSet,
  issueEtcdCertificateSet,
  keyMatchesCertificate,
  parseCertificate,
  parsePrivateKey,
  parseValidity,
} from '../../src/pki/index.js';
import {
  type Scratch,
  ackMembers,
  extensionText,
  openssl,
  opensslStatus,
  scratch,
} from './support.js';

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

test('issueEtcdCertificateSet gives every leaf a chain openssl verifies strictly', async () => {
  for (const { file, ca } of leaves()) {
    const out = await openssl(
      s.dir,
      'verify',
      '-x509_strict',
      '-CAfile',
      `${ca}.pem`,
      `${file}.pem`,
    );
    assert.match(out, `${file}.pem: OK`);
  }
});

test('issueEtcdCertificateSet signs peers with the peer CA only, and server and client with the CA only', async () => {
  for (const { file, ca } of leaves()) {
    const other = ca === 'ca' ? 'peer-ca' : 'ca';
    const { code } = await opensslStatus(s.dir, 'verify', '-CAfile', `${other}.pem`, `${file}.pem`);
    assert.is.not(code, 0, `${file} must not verify against ${other}`);
  }
});

test("issueEtcdCertificateSet fits each leaf for its TLS role in openssl's purpose checks", async () => {
  const purposes: [string, string[]][] = [
    ['etcd-server', ['sslserver', 'sslclient']],
    ['etcd-client', ['sslclient']],
    [members[0]!.name, ['sslserver', 'sslclient']],
  ];
  for (const [file, wanted] of purposes) {
    const ca = file.includes('-name-') ? 'peer-ca' : 'ca';
    for (const purpose of wanted) {
      await openssl(s.dir, 'verify', '-purpose', purpose, '-CAfile', `${ca}.pem`, `${file}.pem`);
    }
  }
  const { code } = await opensslStatus(
    s.dir,
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    'ca.pem',
    'etcd-client.pem',
  );
  assert.is.not(code, 0, 'the client certificate must not serve');
});

test('issueEtcdCertificateSet writes the CA extensions openssl expects of a CA', async () => {
  for (const [file, cn] of [
    ['ca', 'CA'],
    ['peer-ca', 'Peer-CA'],
  ]) {
    const text = await openssl(s.dir, 'x509', '-in', `${file}.pem`, '-noout', '-text');
    assert.match(text, `Subject: CN = ${cn}\n`);
    assert.match(text, `Issuer: CN = ${cn}\n`);
    assert.is(
      extensionText(text, 'X509v3 Basic Constraints'),
      'X509v3 Basic Constraints: critical CA:TRUE',
    );
    assert.is(
      extensionText(text, 'X509v3 Key Usage'),
      'X509v3 Key Usage: critical Digital Signature, Certificate Sign, CRL Sign',
    );
    assert.match(text, 'X509v3 Subject Key Identifier');
    assert.match(text, 'Signature Algorithm: sha256WithRSAEncryption');
  }
});

test('issueEtcdCertificateSet writes the leaf extensions of each profile', async () => {
  const expected: [string, string, string, string][] = [
    [
      'etcd-server',
      'etcd-server',
      'TLS Web Server Authentication, TLS Web Client Authentication',
      'DNS:localhost, IP Address:192.168.0.1, IP Address:192.168.0.2, IP Address:192.168.0.3, IP Address:127.0.0.1',
    ],
    ['etcd-client', 'etcd-client', 'TLS Web Client Authentication', ''],
    ...members.map((m): [string, string, string, string] => [
      m.name,
      m.name,
      'TLS Web Server Authentication, TLS Web Client Authentication',
      `IP Address:${m.ip}`,
    ]),
  ];
  for (const [file, cn, usages, sans] of expected) {
    const text = await openssl(s.dir, 'x509', '-in', `${file}.pem`, '-noout', '-text');
    assert.match(text, `Subject: CN = ${cn}\n`);
    assert.is(
      extensionText(text, 'X509v3 Basic Constraints'),
      'X509v3 Basic Constraints: critical CA:FALSE',
    );
    assert.is(
      extensionText(text, 'X509v3 Key Usage'),
      'X509v3 Key Usage: critical Digital Signature, Key Encipherment',
    );
    assert.is(
      extensionText(text, 'X509v3 Extended Key Usage'),
      `X509v3 Extended Key Usage: ${usages}`,
    );
    const sanLine = extensionText(text, 'X509v3 Subject Alternative Name');
    assert.is(sanLine, sans === '' ? '' : `X509v3 Subject Alternative Name: ${sans}`, file);
  }
});

test("issueEtcdCertificateSet names the signing CA's key identifier in every leaf", async () => {
  for (const { file, ca } of leaves()) {
    const caCert = parseCertificate(await s.read(`${ca}.pem`), `${ca}.pem`);
    const text = await openssl(
      s.dir,
      'x509',
      '-in',
      `${file}.pem`,
      '-noout',
      '-ext',
      'authorityKeyIdentifier,subjectKeyIdentifier',
    );
    const ids = [...text.matchAll(/([0-9A-F]{2}(?::[0-9A-F]{2}){19})/g)].map((m) =>
      m[1]!.replace(/:/g, '').toLowerCase(),
    );
    assert.ok(ids.includes(caCert.subjectKeyId!), `${file} AKI names ${ca}`);
    assert.is(ids.length, 2, `${file} has both key identifiers`);
  }
});

test('issueEtcdCertificateSet makes everything valid for 50 years from a few minutes ago', async () => {
  for (const file of ['ca', 'peer-ca', ...leaves().map((l) => l.file)]) {
    const start = Date.parse(
      (await openssl(s.dir, 'x509', '-in', `${file}.pem`, '-noout', '-startdate')).split('=')[1]!,
    );
    const end = Date.parse(
      (await openssl(s.dir, 'x509', '-in', `${file}.pem`, '-noout', '-enddate')).split('=')[1]!,
    );
    assert.is(end - start, 438000 * 3600 * 1000, `${file} lasts 438000h`);
    assert.ok(
      Date.now() - start >= 5 * 60 * 1000 && Date.now() - start < 10 * 60 * 1000,
      `${file} starts 5 minutes back`,
    );
    assert.ok(new Date(end).getUTCFullYear() >= new Date().getUTCFullYear() + 49);
  }
});

test('issueEtcdCertificateSet gives every certificate a distinct positive 16-byte serial', async () => {
  const serials = [];
  for (const file of ['ca', 'peer-ca', ...leaves().map((l) => l.file)]) {
    const serial = (await openssl(s.dir, 'x509', '-in', `${file}.pem`, '-noout', '-serial'))
      .trim()
      .replace('serial=', '');
    assert.is(serial.length, 32, `${file} serial is 16 bytes`);
    assert.ok(
      Number.parseInt(serial[0]!, 16) < 8 && serial.slice(0, 2) !== '00',
      `${file} serial is positive and minimal`,
    );
    serials.push(serial);
  }
  assert.is(new Set(serials).size, serials.length);
});

test('issueEtcdCertificateSet writes PKCS#1 RSA 2048 keys that openssl checks and that match', async () => {
  for (const file of ['ca', 'peer-ca', ...leaves().map((l) => l.file)]) {
    const pem = await s.text(`${file}-key.pem`);
    assert.ok(pem.startsWith('-----BEGIN RSA PRIVATE KEY-----'), `${file} key is PKCS#1`);
    assert.match(
      await openssl(s.dir, 'rsa', '-in', `${file}-key.pem`, '-check', '-noout'),
      'RSA key ok',
    );
    assert.match(
      await openssl(s.dir, 'pkey', '-in', `${file}-key.pem`, '-noout', '-text'),
      'Private-Key: (2048 bit, 2 primes)',
    );
    const cert = parseCertificate(await s.read(`${file}.pem`), file);
    assert.ok(keyMatchesCertificate(cert, parsePrivateKey(pem, file)), `${file} key matches`);
  }
});

test.run();
