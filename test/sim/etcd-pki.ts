/**
 * The etcd certificate set as the vendor's installer leaves it in
 * `/var/lib/etcd/cert/`: two CAs, one server and one client pair shared by all
 * members, a peer pair per member, and cfssl's leftovers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CA_EXTENSIONS, issuePair, leafExtensions, validityWindow,
  type ExpiredMode, type SimValidity,
} from './certs.js';
import type { KeySource } from './key-pool.js';
import type { MasterFacts } from './layout.js';
import { mapLimit } from './run.js';

const SUBJECT_PREFIX = '/C=CN/ST=HangZhou/L=HangZhou/O=etcd/OU=etcd Security';

/**
 * Writes the whole set into `outDir` (the same files go to every master):
 * `ca`, `peer-ca`, `etcd-server`, `etcd-client` and `<IP>-name-<N>` as
 * `<base>.pem`, `<base>-key.pem` and `<base>.csr`.
 */
export async function issueEtcdCertificates(
  outDir: string,
  masters: readonly MasterFacts[],
  validity: SimValidity,
  expired: ExpiredMode,
  keys: KeySource,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const files = (base: string) => ({
    certPath: join(outDir, `${base}.pem`),
    keyPath: join(outDir, `${base}-key.pem`),
    csrPath: join(outDir, `${base}.csr`),
  });
  const caWindow = validityWindow(validity.etcdCaDays, expired === 'all');
  const leafWindow = validityWindow(validity.etcdLeafDays, expired !== 'none');

  await Promise.all(
    [['ca', 'CA'], ['peer-ca', 'Peer-CA']].map(([base, cn]) =>
      issuePair({
        ...files(base as string),
        subject: `${SUBJECT_PREFIX}/CN=${cn}`,
        issuer: { kind: 'self' },
        extensions: CA_EXTENSIONS,
        window: caWindow,
      }, keys),
    ),
  );

  const ca = {
    kind: 'ca' as const,
    certPath: join(outDir, 'ca.pem'),
    keyPath: join(outDir, 'ca-key.pem'),
  };
  const peerCa = {
    kind: 'ca' as const,
    certPath: join(outDir, 'peer-ca.pem'),
    keyPath: join(outDir, 'peer-ca-key.pem'),
  };
  const ips = masters.map((m) => m.ip);
  const leaves = [
    {
      ...files('etcd-server'),
      subject: `${SUBJECT_PREFIX}/CN=etcd-server`,
      issuer: ca,
      extensions: leafExtensions(['serverAuth', 'clientAuth'], {
        ips: [...ips, '127.0.0.1'],
        dns: ['localhost', ...masters.map((m) => m.hostname)],
      }),
    },
    {
      ...files('etcd-client'),
      subject: `${SUBJECT_PREFIX}/CN=etcd-client`,
      issuer: ca,
      extensions: leafExtensions(['clientAuth']),
    },
    ...masters.map((m) => ({
      ...files(m.name),
      subject: `${SUBJECT_PREFIX}/CN=${m.name}`,
      issuer: peerCa,
      extensions: leafExtensions(['serverAuth', 'clientAuth'], { ips: [m.ip] }),
    })),
  ];
  await mapLimit(leaves, 4, (spec) => issuePair({ ...spec, window: leafWindow }, keys));

  await writeCfsslLeftovers(outDir, validity.etcdLeafDays);
}

/** cfssl's signing profiles, left beside the certificates by the installer. */
async function writeCfsslLeftovers(outDir: string, leafDays: number): Promise<void> {
  const expiry = `${leafDays * 24}h`;
  const config = (profiles: Record<string, string[]>) =>
    `${JSON.stringify(
      {
        signing: {
          default: { expiry },
          profiles: Object.fromEntries(
            Object.entries(profiles).map(([name, usages]) => [name, { expiry, usages }]),
          ),
        },
      },
      null,
      2,
    )}\n`;
  await writeFile(
    join(outDir, 'ca-config.json'),
    config({
      server: ['signing', 'key encipherment', 'server auth', 'client auth'],
      client: ['signing', 'key encipherment', 'client auth'],
    }),
  );
  await writeFile(
    join(outDir, 'peer-ca-config.json'),
    config({ peer: ['signing', 'key encipherment', 'server auth', 'client auth'] }),
  );
}
