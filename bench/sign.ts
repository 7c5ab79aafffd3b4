/**
 * Signing one leaf certificate with a ready RSA 2048 CA key: node-forge's own
 * `cert.sign` (JavaScript RSA) against the library's path (forge encodes,
 * Node's crypto signs). Key generation is excluded from both.
 *
 * Usage: node --import tsx bench/sign.ts [iterations]   (default 50)
 */

import forge from 'node-forge';
import { exportPrivateKeyPem, generateRsaKey } from '../src/pki/keys.js';
import { issueCertificate, readSigner } from '../src/pki/issue.js';
import { issueCertificateAuthority, parseValidity } from '../src/pki/index.js';
import { validityWindow } from '../src/pki/validity.js';

const iterations = Number(process.argv[2] ?? 50);
const validityMs = parseValidity('50y');
const ca = await issueCertificateAuthority({ commonName: 'CA', validityMs });
const signer = readSigner(ca);
const leafKey = await generateRsaKey();

const forgeCaKey = forge.pki.privateKeyFromPem(ca.keyPem);
const forgeCaCert = forge.pki.certificateFromPem(ca.certPem);
const forgeLeafKey = forge.pki.privateKeyFromPem(exportPrivateKeyPem(leafKey));

function forgeSigned(): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeLeafKey.n, forgeLeafKey.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + validityMs);
  cert.setSubject([{ shortName: 'CN', value: 'etcd-server' }]);
  cert.setIssuer(forgeCaCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '192.168.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(forgeCaKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function nativeSigned(): string {
  const profile = {
    subject: [{ type: 'CN', value: 'etcd-server' }],
    isCA: false,
    keyUsage: ['digitalSignature' as const, 'keyEncipherment' as const],
    extKeyUsage: ['serverAuth', 'clientAuth'],
    altNames: { dnsNames: ['localhost'], ipAddresses: ['192.168.0.1'] },
  };
  return issueCertificate(
    profile,
    { key: leafKey, source: 'bench' },
    signer,
    validityWindow(validityMs),
  );
}

function perCall(run: () => string): number {
  run();
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) run();
  return (performance.now() - start) / iterations;
}

const forgeMs = perCall(forgeSigned);
const nativeMs = perCall(nativeSigned);
console.log(`signing one leaf, mean of ${iterations}:`);
console.log(`  node-forge cert.sign          ${forgeMs.toFixed(2).padStart(7)} ms`);
console.log(
  `  forge encoding + crypto.sign  ${nativeMs.toFixed(2).padStart(7)} ms  (${(forgeMs / nativeMs).toFixed(1)}x faster)`,
);
