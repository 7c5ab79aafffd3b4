/**
 * A kubeconfig as client-go loads it at start: the current context's server, CA and client
 * pair, from embedded data or from files, read once (a running component never sees a new
 * kubeconfig).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const YAML = createRequire(import.meta.url)('yaml');

/** `{ server, ca, cert, key, user }` of the current context; throws with client-go's words. */
export function loadKubeconfig(path) {
  const config = YAML.parse(readFileSync(path, 'utf8')) ?? {};
  const contextName = config['current-context'];
  const context = byName(config.contexts, contextName)?.context;
  if (context === undefined) {
    throw new Error(`invalid configuration: context was not found for specified context: ${contextName}`);
  }
  const cluster = byName(config.clusters, context.cluster)?.cluster;
  if (cluster?.server === undefined) {
    throw new Error(`invalid configuration: no server found for cluster "${context.cluster}"`);
  }
  const user = byName(config.users, context.user)?.user ?? {};
  const base = dirname(path);
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: material(cluster, 'certificate-authority', base),
    cert: material(user, 'client-certificate', base),
    key: material(user, 'client-key', base),
    user: context.user,
  };
}

function byName(list, name) {
  return (list ?? []).find((item) => item?.name === name);
}

/** `<field>-data` (base64) or the file `<field>` (relative to the kubeconfig), else undefined. */
function material(section, field, base) {
  const data = section?.[`${field}-data`];
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = section?.[field];
  return file ? readFileSync(resolve(base, file), 'utf8') : undefined;
}
