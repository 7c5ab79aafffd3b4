import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import {
  exportPrivateKeyPem,
  keyMatchesCertificate,
  parseCertificate,
  parsePrivateKey,
} from '../../src/pki/index.js';
import { opensslCa } from './fixtures.js';
import { type Scratch, openssl, scratch, thrown } from './support.js';

let s: Scratch;

test.before(async () => {
  s = await scratch();
  await openssl(s.dir, 'genrsa', '-traditional', '-out', 'pkcs1.pem', '2048');
  await openssl(
    s.dir,
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    'pkcs8.pem',
  );
  await openssl(s.dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-out', 'sec1.pem');
  await openssl(s.dir, 'genrsa', '-aes256', '-passout', 'pass:x', '-out', 'encrypted.pem', '2048');
  await openssl(
    s.dir,
    'genrsa',
    '-traditional',
    '-aes256',
    '-passout',
    'pass:x',
    '-out',
    'encrypted-legacy.pem',
    '2048',
  );
  await opensslCa(s, 'ca', '/CN=CA');
  await opensslCa(s, 'ec-ca', '/CN=EC CA', 'ec');
});

test.after(() => s.remove());

const forms: [string, string, string][] = [
  ['PKCS#1 RSA PRIVATE KEY', 'pkcs1.pem', 'rsa'],
  ['PKCS#8 PRIVATE KEY', 'pkcs8.pem', 'rsa'],
  ['SEC1 EC PRIVATE KEY after an EC PARAMETERS block', 'sec1.pem', 'ec'],
];

for (const [form, file, type] of forms) {
  test(`parsePrivateKey reads a ${form}`, async () => {
    const text = await s.text(file);
    const key = parsePrivateKey(text, file);
    assert.is(key.type, 'private');
    assert.is(key.asymmetricKeyType, type);
  });
}

test('parsePrivateKey reads an EC key made with openssl req, matching its certificate', async () => {
  const key = parsePrivateKey(await s.read('ec-ca-key.pem'), 'ec-ca-key.pem');
  const cert = parseCertificate(await s.read('ec-ca.pem'), 'ec-ca.pem');
  assert.is(key.asymmetricKeyType, 'ec');
  assert.ok(keyMatchesCertificate(cert, key));
});

for (const file of ['encrypted.pem', 'encrypted-legacy.pem']) {
  test(`parsePrivateKey refuses an encrypted key (${file}) and says an unencrypted one is needed`, async () => {
    const error = await thrown(async () =>
      parsePrivateKey(await s.read(file), `/etc/kubernetes/pki/${file}`),
    );
    assert.instance(error, InputError);
    assert.match(error.message, `/etc/kubernetes/pki/${file}: it is encrypted with a passphrase`);
    assert.match(error.message, 'needs an unencrypted key');
    assert.match((error as InputError).remedy ?? '', 'openssl pkey -in');
  });
}

test('parsePrivateKey refuses a damaged key without quoting any of it', async () => {
  const pem = await s.text('pkcs1.pem');
  const lines = pem.trimEnd().split('\n');
  const damaged = [...lines.slice(0, 4), ...lines.slice(9)].join('\n');
  const error = await thrown(() => parsePrivateKey(damaged, 'server-key.pem'));
  assert.instance(error, InputError);
  assert.match(
    error.message,
    /server-key\.pem: PEM block 1 \(RSA PRIVATE KEY\) is not (valid base64|a valid key)/,
  );
  for (const line of lines.slice(1, -1)) {
    assert.not.ok(
      error.message.includes(line.slice(0, 16)),
      'key material leaked into the message',
    );
    assert.not.ok(
      String((error as InputError).remedy).includes(line.slice(0, 16)),
      'key material leaked into the remedy',
    );
  }
});

test('parsePrivateKey refuses a certificate given as a key, saying what the file holds', async () => {
  const error = await thrown(async () => parsePrivateKey(await s.read('ca.pem'), 'ca.pem'));
  assert.instance(error, InputError);
  assert.match(error.message, 'ca.pem: it holds CERTIFICATE, no private key');
});

test('parsePrivateKey refuses an empty file and a DER key', async () => {
  const empty = await thrown(() => parsePrivateKey('', 'ca-key.pem'));
  assert.is(empty.message, 'cannot read private key ca-key.pem: the file is empty');
  await openssl(s.dir, 'pkey', '-in', 'pkcs8.pem', '-outform', 'DER', '-out', 'key.der');
  const der = await thrown(async () => parsePrivateKey(await s.read('key.der'), 'key.der'));
  assert.instance(der, InputError);
  assert.match(der.message, 'key.der: the file is DER (binary)');
});

test('keyMatchesCertificate tells a matching key from another one', async () => {
  const cert = parseCertificate(await s.read('ca.pem'), 'ca.pem');
  assert.ok(keyMatchesCertificate(cert, parsePrivateKey(await s.read('ca-key.pem'), 'ca-key.pem')));
  assert.not.ok(
    keyMatchesCertificate(cert, parsePrivateKey(await s.read('pkcs1.pem'), 'pkcs1.pem')),
  );
  assert.not.ok(keyMatchesCertificate(cert, parsePrivateKey(await s.read('sec1.pem'), 'sec1.pem')));
});

test('exportPrivateKeyPem writes RSA as PKCS#1 and EC as SEC1, which openssl accepts', async () => {
  const rsa = exportPrivateKeyPem(parsePrivateKey(await s.read('pkcs8.pem'), 'pkcs8.pem'));
  assert.ok(rsa.startsWith('-----BEGIN RSA PRIVATE KEY-----\n'));
  await s.write('exported-rsa.pem', rsa);
  assert.match(
    await openssl(s.dir, 'rsa', '-in', 'exported-rsa.pem', '-check', '-noout'),
    'RSA key ok',
  );

  const ec = exportPrivateKeyPem(parsePrivateKey(await s.read('sec1.pem'), 'sec1.pem'));
  assert.ok(ec.startsWith('-----BEGIN EC PRIVATE KEY-----\n'));
  await s.write('exported-ec.pem', ec);
  await openssl(s.dir, 'pkey', '-in', 'exported-ec.pem', '-check', '-noout');
});

test.run();
