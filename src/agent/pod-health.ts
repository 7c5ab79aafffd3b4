import https from 'node:https';
import { parse } from 'yaml';
import { readHostFile } from '../cluster/index.js';
import { RunFailedError } from '../errors.js';

const MANIFEST_DIR = '/etc/kubernetes/manifests';

/** Where each control-plane component answers `/healthz`, by the flag that names it and its default. */
const HEALTH: Record<string, { addressFlags: string[]; portFlag: string; defaultPort: number }> = {
  'kube-apiserver': { addressFlags: ['advertise-address', 'bind-address'], portFlag: 'secure-port', defaultPort: 6443 },
  'kube-controller-manager': { addressFlags: ['bind-address'], portFlag: 'secure-port', defaultPort: 10257 },
  'kube-scheduler': { addressFlags: ['bind-address'], portFlag: 'secure-port', defaultPort: 10259 },
};

/** The `/healthz` URL of a static pod component, from the flags in its manifest. */
export async function healthUrl(root: string, component: string): Promise<string | undefined> {
  const spec = HEALTH[component];
  if (!spec) return undefined;
  const text = await readHostFile(root, `${MANIFEST_DIR}/${component}.yaml`, `${component} manifest`);
  if (text === undefined) return undefined;

  const manifest = parse(text) as { spec?: { containers?: { command?: string[]; args?: string[] }[] } };
  const container = manifest.spec?.containers?.[0];
  const flags = new Map<string, string>();
  for (const word of [...(container?.command ?? []), ...(container?.args ?? [])]) {
    const match = /^--([^=]+)=(.*)$/.exec(word);
    if (match) flags.set(match[1]!, match[2]!);
  }
  let address = spec.addressFlags.map((f) => flags.get(f)).find((a) => a && a !== '0.0.0.0') ?? '127.0.0.1';
  if (address.includes(':')) address = `[${address}]`;
  return `https://${address}:${flags.get(spec.portFlag) ?? spec.defaultPort}/healthz`;
}

/**
 * Polls `url` until it answers 200 `ok`. The component's identity is not
 * checked (its serving certificate may be changing in this very run); only
 * its health is read.
 */
export async function waitForHealthz(component: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    last = await getHealthz(url).catch((error: Error) => error.message);
    if (last === 'ok') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new RunFailedError(`${component} at ${url} is not healthy after ${timeoutMs / 1000} s: ${last}`, {
    remedy: `check its container logs; its etcd or TLS files may be wrong`,
  });
}

function getHealthz(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { rejectUnauthorized: false, timeout: 2_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(response.statusCode === 200 ? body.trim() : `HTTP ${response.statusCode}: ${body.trim().split('\n').slice(-2).join(' ')}`));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}
