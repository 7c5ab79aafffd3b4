/** A stand-in for the ECS instance metadata service: serves region-id on a loopback address. */
import { createServer, type Server } from 'node:http';

/** A running stand-in; `url` is what ETCD_ROTATE_METADATA_URL takes (the service's base). */
export interface MetadataStandIn {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `region` at /latest/meta-data/region-id on `host`, any free port, and session tokens
 * at PUT /latest/api/token; with `requireToken`, region-id answers 403 without the token.
 */
export async function startMetadata(
  region: string,
  host = '127.0.0.200',
  options: { requireToken?: boolean } = {},
): Promise<MetadataStandIn> {
  const token = 'stand-in-token';
  const server: Server = createServer((request, response) => {
    const given = request.headers['x-aliyun-ecs-metadata-token'];
    if (request.method === 'PUT' && request.url === '/latest/api/token') response.end(token);
    else if (request.url !== '/latest/meta-data/region-id') response.writeHead(404).end('Not Found');
    else if (options.requireToken && given !== token) response.writeHead(403).end('Forbidden');
    else response.end(region);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
