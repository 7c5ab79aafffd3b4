import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findIssuer, isSelfSigned, parseCertificate } from '../../src/pki/index.js';
import { SERVER_EXTENSIONS, opensslCa, opensslLeaf } from './fixtures.js';
import { type Scratch, scratch } from './support.js';

let s: Scratch;
const read = async (name: string) => parseCertificate(await s.read(`${name}.pem`), `${name}.pem`);

test.before(async () => {
  s = await scratch();
  await opensslCa(s, 'ca', '/CN=CA');
  await opensslCa(s, 'peer-ca', '/CN=Peer-CA');
  // Same name as "ca", different key: only the signature tells them apart.
  await opensslCa(s, 'impostor', '/CN=CA');
  await opensslCa(s, 'ec-ca', '/CN=EC CA', 'ec');
  await opensslLeaf(s, 'server', 'ca', {
    subject: '/CN=etcd-server',
    extensions: SERVER_EXTENSIONS,
  });
  await opensslLeaf(s, 'peer', 'peer-ca', {
    subject: '/CN=192.168.0.1-name-1',
    extensions: SERVER_EXTENSIONS,
  });
  await opensslLeaf(s, 'ec-leaf', 'ec-ca', {
    subject: '/CN=ec-leaf',
    key: 'ec',
    extensions: SERVER_EXTENSIONS,
  });
});

test.after(() => s.remove());

test('findIssuer picks the CA that signed each leaf', async () => {
  const cas = [
    await read('peer-ca'),
    await read('impostor'),
    await read('ca'),
    await read('ec-ca'),
  ];
  assert.is(findIssuer(await read('server'), cas)?.source, 'ca.pem');
  assert.is(findIssuer(await read('peer'), cas)?.source, 'peer-ca.pem');
  assert.is(findIssuer(await read('ec-leaf'), cas)?.source, 'ec-ca.pem');
});

test('findIssuer returns undefined when no candidate signed the certificate', async () => {
  assert.is(
    findIssuer(await read('server'), [await read('impostor'), await read('peer-ca')]),
    undefined,
  );
  assert.is(findIssuer(await read('server'), []), undefined);
});

test('isSelfSigned holds for CAs and not for leaves', async () => {
  assert.ok(isSelfSigned(await read('ca')));
  assert.ok(isSelfSigned(await read('ec-ca')));
  assert.not.ok(isSelfSigned(await read('server')));
  assert.not.ok(isSelfSigned(await read('ec-leaf')));
});

test.run();
