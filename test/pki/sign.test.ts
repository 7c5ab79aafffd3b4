import { generateKeyPairSync } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { Type, timeNode, toDer } from '../../src/pki/der.js';
import { buildName } from '../../src/pki/names.js';
import { publicKeyDer } from '../../src/pki/keys.js';
import { randomSerialNumber, signCertificate } from '../../src/pki/sign.js';
import { parseCertificate } from '../../src/pki/index.js';
import { thrown } from './support.js';

test('randomSerialNumber is 16 bytes, positive, with a non-zero first byte', () => {
  for (let i = 0; i < 2000; i += 1) {
    const serial = randomSerialNumber();
    assert.is(serial.length, 16);
    assert.ok(serial[0]! > 0 && serial[0]! < 0x80);
  }
});

test('timeNode uses UTCTime before 2050 and GeneralizedTime from 2050 on', () => {
  assert.is(timeNode(new Date('2049-12-31T23:59:59.900Z')).type, Type.UTCTIME);
  assert.is(timeNode(new Date('2050-01-01T00:00:00Z')).type, Type.GENERALIZEDTIME);
  assert.is(
    toDer(timeNode(new Date('2076-11-20T17:20:15.999Z')))
      .subarray(2)
      .toString(),
    '20761120172015Z',
  );
});

const template = (publicKey: Buffer) => {
  const name = toDer(buildName([{ type: 'CN', value: 'test' }]));
  const notBefore = new Date();
  return {
    serialNumber: randomSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + 1000),
    subject: name,
    issuer: name,
    publicKey,
    extensions: [],
  };
};

test('signCertificate signs with P-384 keys using SHA-384', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const cert = parseCertificate(
    signCertificate(template(publicKeyDer(privateKey)), { key: privateKey, source: 'ca.key' }),
    'x',
  );
  assert.ok(cert.x509.verify(cert.x509.publicKey));
  assert.match(cert.x509.toLegacyObject().asn1Curve ?? '', 'secp384r1');
});

test('signCertificate refuses an Ed25519 CA key with an InputError naming the file', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const error = await thrown(() =>
    signCertificate(template(publicKeyDer(privateKey)), {
      key: privateKey,
      source: '/etc/kubernetes/pki/ca.key',
    }),
  );
  assert.instance(error, InputError);
  assert.is(
    error.message,
    'cannot sign with the CA key /etc/kubernetes/pki/ca.key: it is a ed25519 key',
  );
});

test.run();
