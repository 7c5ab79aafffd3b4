import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import {
  type CertificateInfo,
  type IssuedPair,
  keyMatchesCertificate,
  parseCertificate,
  parsePrivateKey,
  parseValidity,
  reissueCertificate,
} from '../../src/pki/index.js';
import { SERVER_EXTENSIONS, opensslCa, opensslLeaf } from './fixtures.js';
import { type Scratch, openssl, scratch, thrown } from './support.js';

const TEN_YEARS = parseValidity('10y');
let s: Scratch;
let server: CertificateInfo;
let ca: IssuedPair;

const pair = async (name: string): Promise<IssuedPair> => ({
  certPem: await s.text(`${name}.pem`),
  keyPem: await s.text(`${name}-key.pem`),
  source: `${name}.pem`,
});

test.before(async () => {
  s = await scratch();
  await opensslCa(s, 'ca', '/C=CN/O=kubernetes/CN=kubernetes');
  await opensslCa(s, 'ec-ca', '/CN=EC CA', 'ec');
  await opensslLeaf(s, 'server', 'ca', {
    subject: '/C=CN/O=etcd/OU=etcd/CN=etcd-server',
    extensions: SERVER_EXTENSIONS,
    days: 30,
  });
  server = parseCertificate(await s.read('server.pem'), 'server.pem');
  ca = await pair('ca');
});

test.after(() => s.remove());

test('reissueCertificate keeps the subject, SANs and usages and issues a new serial, dates and key', async () => {
  const renewed = await reissueCertificate(server, ca, { validityMs: TEN_YEARS });
  const cert = parseCertificate(renewed.certPem, 'renewed');

  assert.ok(cert.raw.subject.equals(server.raw.subject), 'subject bytes are unchanged');
  assert.is(cert.subject, 'CN=etcd-server, OU=etcd, O=etcd, C=CN');
  assert.equal(cert.dnsNames, server.dnsNames);
  assert.equal(cert.ipAddresses, server.ipAddresses);
  assert.equal(cert.keyUsage, server.keyUsage);
  assert.equal(cert.extKeyUsage, server.extKeyUsage);
  assert.is(cert.isCA, false);
  assert.is.not(cert.serialNumber, server.serialNumber);
  assert.ok(cert.notAfter.getTime() - cert.notBefore.getTime() === TEN_YEARS);
  assert.not.ok(
    keyMatchesCertificate(cert, parsePrivateKey(await s.read('server-key.pem'), 'server-key.pem')),
  );
  assert.ok(keyMatchesCertificate(cert, parsePrivateKey(renewed.keyPem, 'new key')));
  assert.ok(renewed.keyPem.startsWith('-----BEGIN RSA PRIVATE KEY-----'));

  await s.write('renewed-server.pem', renewed.certPem);
  assert.match(
    await openssl(s.dir, 'verify', '-x509_strict', '-CAfile', 'ca.pem', 'renewed-server.pem'),
    'OK',
  );
});

test('reissueCertificate with a key keeps that key and its subject key identifier', async () => {
  const keyPem = await s.text('server-key.pem');
  const renewed = await reissueCertificate(server, ca, { validityMs: TEN_YEARS, keyPem });
  const cert = parseCertificate(renewed.certPem, 'renewed');
  assert.is(renewed.keyPem, keyPem);
  assert.ok(keyMatchesCertificate(cert, parsePrivateKey(keyPem, 'server-key.pem')));
  assert.is(cert.subjectKeyId, server.subjectKeyId);
  assert.is(cert.authorityKeyId, server.authorityKeyId);
});

test('reissueCertificate extends a CA with its own key so leaves of the old CA still verify', async () => {
  const oldCa = parseCertificate(ca.certPem, 'ca.pem');
  const renewed = await reissueCertificate(oldCa, ca, {
    validityMs: parseValidity('50y'),
    keyPem: ca.keyPem,
  });
  const cert = parseCertificate(renewed.certPem, 'renewed-ca.pem');

  assert.ok(cert.raw.subject.equals(oldCa.raw.subject));
  assert.ok(cert.raw.issuer.equals(oldCa.raw.subject));
  assert.is(cert.isCA, true);
  assert.is(cert.subjectKeyId, oldCa.subjectKeyId);
  assert.equal(cert.keyUsage, oldCa.keyUsage);
  assert.ok(cert.notAfter > oldCa.notAfter);

  await s.write('renewed-ca.pem', renewed.certPem);
  assert.match(
    await openssl(s.dir, 'verify', '-x509_strict', '-CAfile', 'renewed-ca.pem', 'server.pem'),
    'server.pem: OK',
  );
  assert.match(await openssl(s.dir, 'verify', '-CAfile', 'renewed-ca.pem', 'renewed-ca.pem'), 'OK');
});

test('reissueCertificate keeps a UTF-8 subject byte for byte', async () => {
  await openssl(
    s.dir,
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'utf8-key.pem',
    '-out',
    'utf8.csr',
    '-utf8',
    '-subj',
    '/O=阿里云/OU=système:masters/CN=kube-apiserver-etcd-client',
  );
  await s.write('client.ext', 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await openssl(
    s.dir,
    'x509',
    '-req',
    '-in',
    'utf8.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-days',
    '1',
    '-extfile',
    'client.ext',
    '-out',
    'utf8.pem',
  );
  const existing = parseCertificate(await s.read('utf8.pem'), 'utf8.pem');
  assert.is(existing.subject, 'CN=kube-apiserver-etcd-client, OU=système:masters, O=阿里云');

  const renewed = parseCertificate(
    (await reissueCertificate(existing, ca, { validityMs: TEN_YEARS })).certPem,
    'renewed',
  );
  assert.ok(renewed.raw.subject.equals(existing.raw.subject));
  assert.equal(renewed.extKeyUsage, ['clientAuth']);
  assert.equal(renewed.keyUsage, ['digitalSignature']);
});

test('reissueCertificate signs with an EC CA key natively', async () => {
  const renewed = await reissueCertificate(server, await pair('ec-ca'), { validityMs: TEN_YEARS });
  await s.write('ec-signed.pem', renewed.certPem);
  assert.match(
    await openssl(s.dir, 'verify', '-x509_strict', '-CAfile', 'ec-ca.pem', 'ec-signed.pem'),
    'OK',
  );
  assert.match(
    await openssl(s.dir, 'x509', '-in', 'ec-signed.pem', '-noout', '-text'),
    'Signature Algorithm: ecdsa-with-SHA256',
  );
});

test("reissueCertificate refuses a signer whose key is not the CA's", async () => {
  const wrong = { ...ca, keyPem: await s.text('server-key.pem') };
  const error = await thrown(() => reissueCertificate(server, wrong, { validityMs: TEN_YEARS }));
  assert.instance(error, InputError);
  assert.match(
    error.message,
    'cannot sign with ca.pem: the private key does not belong to the CA certificate',
  );
});

test('reissueCertificate refuses a leaf as signer', async () => {
  const error = await thrown(async () =>
    reissueCertificate(server, await pair('server'), { validityMs: TEN_YEARS }),
  );
  assert.instance(error, InputError);
  assert.match(
    error.message,
    'server.pem: CN=etcd-server, OU=etcd, O=etcd, C=CN is not a CA certificate',
  );
});

test.run();
