import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { issueCertificateAuthority } from '../../src/pki/index.js';
import { bundle, certWrite, keyWrite, mergeWrites } from '../../src/rotation/material.js';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString();

test('bundle keeps each certificate once, so a resumed run does not grow the file', async () => {
  const [a, b] = await Promise.all([
    issueCertificateAuthority({ commonName: 'A', validityMs: 86_400_000 }),
    issueCertificateAuthority({ commonName: 'B', validityMs: 86_400_000 }),
  ]);
  const once = bundle(a.certPem, b.certPem);
  assert.is(once.match(/BEGIN CERTIFICATE/g)?.length, 2);
  assert.is(bundle(once, b.certPem), once);
});

test('mergeWrites bundles two CAs planned for one file and refuses two different keys', async () => {
  const [a, b] = await Promise.all([
    issueCertificateAuthority({ commonName: 'A', validityMs: 86_400_000 }),
    issueCertificateAuthority({ commonName: 'B', validityMs: 86_400_000 }),
  ]);
  const merged = mergeWrites([certWrite('/x/ca.pem', a.certPem), certWrite('/x/ca.pem', b.certPem)]);
  assert.is(merged.length, 1);
  assert.is(decode(merged[0]!.contentBase64).match(/BEGIN CERTIFICATE/g)?.length, 2);
  assert.throws(() => mergeWrites([keyWrite('/x/k.pem', a.keyPem), keyWrite('/x/k.pem', b.keyPem)]));
});

test('keyWrite makes new key files 0600, certWrite 0644', () => {
  assert.is(keyWrite('/k', 'x').mode, 0o600);
  assert.is(certWrite('/c', 'x').mode, 0o644);
});

test.run();
