import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { parseCertificate, parseCertificates } from '../../src/pki/index.js';
import { SERVER_EXTENSIONS, opensslCa, opensslLeaf } from './fixtures.js';
import { type Scratch, openssl, scratch, thrown } from './support.js';

let s: Scratch;

test.before(async () => {
  s = await scratch();
  await opensslCa(s, 'ca', '/C=CN/O=etcd/CN=CA');
  await opensslLeaf(s, 'server', 'ca', {
    subject: '/C=CN/O=etcd/OU=etcd/CN=etcd-server',
    extensions: SERVER_EXTENSIONS,
  });
  await opensslCa(s, 'ec-ca', '/CN=EC CA', 'ec');
  await opensslLeaf(s, 'ec-leaf', 'ec-ca', {
    subject: '/CN=ec-leaf',
    key: 'ec',
    extensions: [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
    ],
    serial: '0x00ff',
  });
});

test.after(() => s.remove());

test('parseCertificates reads an openssl-made RSA leaf as openssl itself does', async () => {
  const cert = parseCertificate(await s.read('server.pem'), 'server.pem');
  const printed = async (...flags: string[]) =>
    (await openssl(s.dir, 'x509', '-in', 'server.pem', '-noout', ...flags)).trim();

  assert.is(cert.subject, 'CN=etcd-server, OU=etcd, O=etcd, C=CN');
  assert.is(cert.subjectCommonName, 'etcd-server');
  assert.is(cert.issuer, 'CN=CA, O=etcd, C=CN');
  assert.is(cert.serialNumber, '1f2e3d4c5b6a');
  assert.is(`serial=${cert.serialNumber.toUpperCase()}`, await printed('-serial'));
  assert.is(
    cert.notAfter.getTime(),
    Date.parse((await printed('-enddate')).replace('notAfter=', '')),
  );
  assert.is(
    cert.notBefore.getTime(),
    Date.parse((await printed('-startdate')).replace('notBefore=', '')),
  );
  assert.is(`sha256 Fingerprint=${cert.fingerprint256}`, await printed('-fingerprint', '-sha256'));
  assert.is(cert.isCA, false);
  assert.equal(cert.keyUsage, ['digitalSignature', 'keyEncipherment']);
  assert.equal(cert.extKeyUsage, ['serverAuth', 'clientAuth']);
  assert.equal(cert.dnsNames, ['localhost', 'etcd.local']);
  assert.equal(cert.ipAddresses, ['10.0.0.1', '10.0.0.2', 'fd00::1']);
  assert.is(cert.publicKeyAlgorithm, 'rsa');
  assert.is(cert.source, 'server.pem');
});

test('parseCertificates reads the key identifiers openssl wrote', async () => {
  const leaf = parseCertificate(await s.read('server.pem'), 'server.pem');
  const ca = parseCertificate(await s.read('ca.pem'), 'ca.pem');
  const text = await openssl(
    s.dir,
    'x509',
    '-in',
    'server.pem',
    '-noout',
    '-ext',
    'subjectKeyIdentifier',
  );
  const printedSki = /([0-9A-F]{2}(:[0-9A-F]{2})+)/
    .exec(text)?.[1]
    ?.replace(/:/g, '')
    .toLowerCase();
  assert.is(leaf.subjectKeyId, printedSki);
  assert.is(leaf.authorityKeyId, ca.subjectKeyId);
  assert.is(ca.isCA, true);
  assert.equal(ca.keyUsage, ['digitalSignature', 'keyCertSign', 'cRLSign']);
});

test('parseCertificates reads EC certificates, which node-forge cannot', async () => {
  const cert = parseCertificate(await s.read('ec-leaf.pem'), 'ec-leaf.pem');
  assert.is(cert.publicKeyAlgorithm, 'ec');
  assert.is(cert.subject, 'CN=ec-leaf');
  assert.is(cert.issuer, 'CN=EC CA');
  assert.is(cert.serialNumber, 'ff');
  assert.equal(cert.extKeyUsage, ['clientAuth']);
  assert.equal(cert.keyUsage, ['digitalSignature']);
});

test('parseCertificates returns every certificate of a bundle in file order', async () => {
  const bundle = `${await s.text('server.pem')}${await s.text('server-key.pem')}${await s.text('ca.pem')}`;
  const certs = parseCertificates(bundle, 'bundle.pem');
  assert.equal(
    certs.map((c) => [c.subjectCommonName, c.index]),
    [
      ['etcd-server', 1],
      ['CA', 3],
    ],
  );
});

test('parseCertificates refuses DER with a message naming the file and the conversion', async () => {
  await openssl(s.dir, 'x509', '-in', 'server.pem', '-outform', 'DER', '-out', 'server.der');
  const derError = await thrown(async () =>
    parseCertificates(await s.read('server.der'), '/var/lib/etcd/cert/server.der'),
  );
  assert.instance(derError, InputError);
  assert.match(
    derError.message,
    'cannot read certificate /var/lib/etcd/cert/server.der: the file is DER (binary)',
  );
  assert.match((derError as InputError).remedy ?? '', 'openssl x509 -inform DER');
});

test('parseCertificates refuses a key file, saying what it holds instead', async () => {
  const error = await thrown(async () =>
    parseCertificates(await s.read('server-key.pem'), 'server-key.pem'),
  );
  assert.instance(error, InputError);
  assert.match(error.message, 'server-key.pem: it holds PRIVATE KEY, no CERTIFICATE');
});

test('parseCertificates refuses a certificate whose DER is damaged', async () => {
  const pem = await s.text('server.pem');
  const lines = pem.split('\n');
  lines.splice(5, 3);
  const error = await thrown(() => parseCertificates(lines.join('\n'), 'server.pem'));
  assert.instance(error, InputError);
  assert.match(
    error.message,
    /server\.pem: PEM block 1 (\(CERTIFICATE\) is not valid base64|is not a valid X\.509 certificate)/,
  );

  const garbage = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`;
  const asn1Error = await thrown(() => parseCertificates(garbage, 'ca.crt'));
  assert.instance(asn1Error, InputError);
  assert.is(
    asn1Error.message,
    'cannot read certificate ca.crt: PEM block 1 is not a valid X.509 certificate',
  );
  assert.ok(asn1Error.cause, 'keeps the parser error as the cause');
});

test('parseCertificates refuses an empty file', async () => {
  const error = await thrown(() =>
    parseCertificates(Buffer.alloc(0), '/etc/kubernetes/pki/ca.crt'),
  );
  assert.instance(error, InputError);
  assert.is(error.message, 'cannot read certificate /etc/kubernetes/pki/ca.crt: the file is empty');
});

test.run();
