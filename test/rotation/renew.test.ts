/**
 * issueRenewals: the leaves a write step renews, issued when the step runs,
 * against CAs and leaves made by the openssl CLI.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunFailedError } from '../../src/errors.js';
import { keyMatchesCertificate, parseCertificate, parsePrivateKey, type IssuedPair } from '../../src/pki/index.js';
import { issueRenewals } from '../../src/rotation/steps/renew.js';
import type { StepContext } from '../../src/rotation/steps/index.js';
import type { LeafRenewal } from '../../src/rotation/types.js';
import { SERVER_EXTENSIONS, opensslCa, opensslLeaf } from '../pki/fixtures.js';
import { openssl, scratch, type Scratch } from '../pki/support.js';

const renew = suite<{ s: Scratch; ca: IssuedPair; other: IssuedPair; template: string }>('issueRenewals');

renew.before(async (ctx) => {
  ctx.s = await scratch();
  await opensslCa(ctx.s, 'ca', '/CN=kubernetes');
  await opensslCa(ctx.s, 'other', '/CN=front-proxy-ca');
  await opensslLeaf(ctx.s, 'apiserver', 'ca', { subject: '/CN=kube-apiserver', extensions: SERVER_EXTENSIONS, days: 30 });
  const pair = async (name: string) => ({ certPem: await ctx.s.text(`${name}.pem`), keyPem: await ctx.s.text(`${name}-key.pem`), source: `${name}.pem` });
  ctx.ca = await pair('ca');
  ctx.other = await pair('other');
  ctx.template = await ctx.s.text('apiserver.pem');
});
renew.after((ctx) => ctx.s.remove());

const stepWith = (signers: IssuedPair[]) =>
  ({ plan: { validity: '50y' }, signers: async () => signers }) as unknown as StepContext;

renew('renews a leaf with a new key, the same subject and SANs, 50 years ahead, verified by openssl', async (ctx) => {
  const renewal: LeafRenewal = {
    templatePem: ctx.template,
    signerPem: ctx.ca.certPem,
    target: { kind: 'files', cert: '/etc/kubernetes/pki/apiserver.crt', key: '/etc/kubernetes/pki/apiserver.key' },
  };
  const { files, kubeconfigs } = await issueRenewals(stepWith([ctx.other, ctx.ca]), [renewal]);
  assert.equal(files.map((f) => [f.path, f.mode]), [['/etc/kubernetes/pki/apiserver.crt', 0o644], ['/etc/kubernetes/pki/apiserver.key', 0o600]]);
  assert.equal(kubeconfigs, []);

  const [certPem, keyPem] = files.map((f) => Buffer.from(f.contentBase64, 'base64').toString());
  const renewed = parseCertificate(certPem!, 'renewed');
  const old = parseCertificate(ctx.template, 'template');
  assert.is(renewed.subject, old.subject);
  assert.equal(renewed.dnsNames, old.dnsNames);
  assert.equal(renewed.ipAddresses, old.ipAddresses);
  assert.ok(renewed.notAfter.getTime() > Date.now() + 49.9 * 365.25 * 86_400_000);
  assert.ok(keyMatchesCertificate(renewed, parsePrivateKey(keyPem!, 'renewed key')), 'the new key belongs to the certificate');
  assert.not.ok(renewed.x509.publicKey.equals(old.x509.publicKey), 'a new key, as kubeadm renews');

  await writeFile(path.join(ctx.s.dir, 'renewed.pem'), certPem!);
  assert.match(await openssl(ctx.s.dir, 'verify', '-CAfile', 'ca.pem', 'renewed.pem'), 'renewed.pem: OK');
});

renew('a kubeconfig user gets the pair and the extended CA the plan names', async (ctx) => {
  const target = { kind: 'kubeconfig' as const, path: '/etc/kubernetes/admin.conf', user: 'kubernetes-admin', caPem: ctx.ca.certPem };
  const { files, kubeconfigs } = await issueRenewals(stepWith([ctx.ca]), [{ templatePem: ctx.template, signerPem: ctx.ca.certPem, target }]);
  assert.equal(files, []);
  assert.is(kubeconfigs.length, 1);
  assert.is(kubeconfigs[0]!.user, 'kubernetes-admin');
  assert.is(kubeconfigs[0]!.caPem, ctx.ca.certPem);
  assert.ok(keyMatchesCertificate(parseCertificate(kubeconfigs[0]!.certificatePem, 'c'), parsePrivateKey(kubeconfigs[0]!.keyPem, 'k')));
});

renew('a CA whose key this master lacks fails the step, naming the file and the CA', async (ctx) => {
  const renewal: LeafRenewal = { templatePem: ctx.template, signerPem: ctx.ca.certPem, target: { kind: 'files', cert: '/p/apiserver.crt', key: '/p/apiserver.key' } };
  const error = await issueRenewals(stepWith([ctx.other]), [renewal]).catch((e: unknown) => e);
  assert.instance(error, RunFailedError);
  assert.match((error as Error).message, 'cannot renew /p/apiserver.crt: the key of its CA "CN=kubernetes" is not on this master');
  assert.not.match((error as Error).message, /PRIVATE KEY/);
});

renew('nothing to renew reads no CA key', async () => {
  const ctx = { plan: { validity: '50y' }, signers: async () => assert.unreachable('signers read') } as unknown as StepContext;
  assert.equal(await issueRenewals(ctx, []), { files: [], kubeconfigs: [] });
});

renew.run();
