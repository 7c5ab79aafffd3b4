/**
 * A client that writes a key every ~50 ms through any member, like
 * kube-apiserver does during a rotation: it re-reads the client certificate,
 * key and CA files before every write, opens a new connection each time, and
 * fails over to the next member when one refuses. A write counts as failed
 * only when no member took it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Etcd3 } from 'etcd3';

export interface WriterFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface WriterReport {
  attempted: number;
  failed: number;
  /** Longest time between two successful writes, in ms. */
  longestStallMs: number;
  written: string[];
  errors: string[];
}

export interface Writer {
  stop(): Promise<WriterReport>;
}

/** Starts writing keys `<prefix>/<n>` until `stop` is called. */
export function startWriter(endpoints: readonly string[], files: WriterFiles, prefix = '/writer'): Writer {
  const report: WriterReport = { attempted: 0, failed: 0, longestStallMs: 0, written: [], errors: [] };
  let running = true;
  let lastSuccess = Date.now();

  const loop = (async () => {
    for (let n = 0; running; n++) {
      const started = Date.now();
      report.attempted += 1;
      const key = `${prefix}/${String(n).padStart(6, '0')}`;
      const error = await writeOnce(endpoints, files, key, String(n));
      if (error === undefined) {
        report.longestStallMs = Math.max(report.longestStallMs, Date.now() - lastSuccess);
        lastSuccess = Date.now();
        report.written.push(key);
      } else {
        report.failed += 1;
        report.errors.push(`${key}: ${error}`);
      }
      await sleep(Math.max(0, 50 - (Date.now() - started)));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      report.longestStallMs = Math.max(report.longestStallMs, Date.now() - lastSuccess);
      return report;
    },
  };
}

async function writeOnce(endpoints: readonly string[], files: WriterFiles, key: string, value: string): Promise<string | undefined> {
  const tls = await readPair(files);
  const reasons: string[] = [];
  for (const endpoint of endpoints) {
    const client = new Etcd3({
      hosts: [endpoint],
      credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key },
      faultHandling: { host: () => noRetry, global: noRetry },
    });
    try {
      await client.put(key).value(value).options({ deadline: Date.now() + 2_000 }).exec();
      return undefined;
    } catch (error) {
      reasons.push(`${endpoint}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      client.close();
    }
  }
  return reasons.join('; ');
}

/**
 * Reads the three files, again while the key does not match the certificate:
 * the tool replaces a pair as two renames, and a reader between them sees a
 * new certificate with the old key. kube-apiserver reads them only at start.
 */
async function readPair(files: WriterFiles): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  for (let attempt = 0; ; attempt++) {
    const [ca, cert, key] = await Promise.all([readFile(files.ca), readFile(files.cert), readFile(files.key)]);
    if (attempt >= 5 || new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) return { ca, cert, key };
    await sleep(10);
  }
}

const noRetry = {
  _altReturn: undefined as never,
  onSuccess: () => ({ dispose: () => undefined }),
  onFailure: () => ({ dispose: () => undefined }),
  execute: async (fn: (context: { signal: AbortSignal }) => unknown) => fn({ signal: new AbortController().signal }),
} as never;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
