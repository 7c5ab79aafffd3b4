import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterHealth, probeServedCertificate } from '../../src/etcd/index.js';
import { useEtcdCluster, type FixtureMember } from './fixture.js';
import { createCa, issueLeaf, type LeafFiles } from './fixture-pki.js';

const probe = suite('probeServedCertificate');
const cluster = useEtcdCluster(probe);

async function fingerprintOf(path: string): Promise<string> {
  return new X509Certificate(await readFile(path)).fingerprint256;
}

/** Replaces a member's server certificate and key, each with one rename. */
async function replaceServerCertificate(member: FixtureMember, from: LeafFiles): Promise<void> {
  for (const [source, target] of [[from.keyPath, member.server.keyPath], [from.certPath, member.server.certPath]] as const) {
    await writeFile(`${target}.new`, await readFile(source));
    await rename(`${target}.new`, target);
  }
}

probe('returns the server certificate a member presents on its client port', async () => {
  const { members, tls } = cluster();
  for (const member of members) {
    const served = await probeServedCertificate(member.ip, 2379, { ca: tls.ca });

    assert.is(served.fingerprint256, await fingerprintOf(member.server.certPath));
    assert.is(served.verified, true);
    assert.is(served.issuer, 'CN=ca');
    assert.ok(served.notAfter.getTime() > Date.now());
    assert.match(served.pem, /^-----BEGIN CERTIFICATE-----/);
  }
});

probe('returns the peer certificate on the peer port when given a client certificate', async () => {
  const { members, tls, peer } = cluster();
  const served = await probeServedCertificate(members[0]?.ip as string, 2380, {
    ca: tls.ca, cert: await readFile(peer.certPath), key: await readFile(peer.keyPath),
  });

  assert.is(served.fingerprint256, await fingerprintOf(peer.certPath));
  assert.is(served.verified, true);
});

probe('reports a certificate that does not name the address as not verified', async () => {
  const { members, tls } = cluster();
  const served = await probeServedCertificate(members[0]?.ip as string, 2379, { ca: tls.ca }, {
    servername: '127.0.0.99',
  });

  assert.is(served.verified, false);
  assert.is(served.verifyError, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

probe('sees a replaced certificate from another CA without a restart', async () => {
  const { members, tls, dir, endpoints } = cluster();
  const member = members[0] as FixtureMember;
  const original = { certPath: join(dir, 'original.pem'), keyPath: join(dir, 'original-key.pem') };
  await writeFile(original.certPath, await readFile(member.server.certPath));
  await writeFile(original.keyPath, await readFile(member.server.keyPath));
  await mkdir(join(dir, 'other'), { recursive: true });
  const otherCa = await createCa(join(dir, 'other'), 'other-ca');
  const replacement = await issueLeaf(join(dir, 'other'), otherCa, {
    name: 'server', commonName: 'etcd-server-new', ips: [member.ip, '127.0.0.1'],
    usages: ['serverAuth', 'clientAuth'],
  });

  await replaceServerCertificate(member, replacement);
  try {
    const served = await probeServedCertificate(member.ip, 2379, { ca: tls.ca });
    assert.is(served.fingerprint256, await fingerprintOf(replacement.certPath));
    assert.is(served.verified, false);
    assert.match(String(served.verifyError), /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.is(served.issuer, 'CN=other-ca');

    const withNewCa = await probeServedCertificate(member.ip, 2379, { ca: await readFile(otherCa.certPath) });
    assert.is(withNewCa.verified, true);
  } finally {
    await replaceServerCertificate(member, original);
  }

  const restored = await probeServedCertificate(member.ip, 2379, { ca: tls.ca });
  assert.is(restored.fingerprint256, await fingerprintOf(original.certPath));
  assert.ok((await clusterHealth(endpoints, tls)).healthy);
});

probe.run();
