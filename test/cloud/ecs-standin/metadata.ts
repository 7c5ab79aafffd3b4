/**
 * A stand-in for the ECS instance metadata service (100.100.100.200): the
 * region, the instance id, and the RAM role's STS credentials, with the
 * hardened mode's session token.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the metadata stand-in tells the instance. */
export interface MetadataFacts {
  region: string;
  instanceId: string;
  role?: { name: string; accessKeyId: string; secret: string; securityToken: string; expiresAt: Date };
}

/** Starts it on `address` (default 127.0.0.251); resolves to its base URL and a stop function. */
export async function startMetadataStandin(
  facts: MetadataFacts,
  address = '127.0.0.251',
): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(`${req.method} ${path}`);
    if (req.method === 'PUT' && path === '/latest/api/token') return void res.end('standin-metadata-token');
    const answers: Record<string, string> = {
      '/latest/meta-data/region-id': facts.region,
      '/latest/meta-data/instance-id': facts.instanceId,
    };
    if (facts.role) {
      const r = facts.role;
      answers['/latest/meta-data/ram/security-credentials/'] = r.name;
      answers[`/latest/meta-data/ram/security-credentials/${r.name}`] = JSON.stringify({
        AccessKeyId: r.accessKeyId,
        AccessKeySecret: r.secret,
        SecurityToken: r.securityToken,
        Expiration: r.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z'),
        LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        Code: 'Success',
      });
    }
    const answer = answers[path];
    if (answer === undefined) {
      res.writeHead(404);
      return void res.end('Not Found');
    }
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${bound.address}:${bound.port}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
