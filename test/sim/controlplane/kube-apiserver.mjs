#!/usr/bin/env node
/**
 * kube-apiserver stand-in (see kubelet.mjs for what the stand-ins do and do not do).
 * Startup as the real one: load the serving pair and the etcd client config (CA read once),
 * bind the port, block until some etcd endpoint accepts a connection (20 s, or
 * $SIM_ETCD_DIAL_TIMEOUT) and exit 1 with "Error: context deadline exceeded" if none does;
 * until then connections to the port are accepted by the kernel but never answered.
 */
import https from 'node:https';
import net from 'node:net';
import { EtcdClient } from './lib/etcd-client.mjs';
import { durationFlag, parseDuration, parseFlags } from './lib/flags.mjs';
import { createLogger, kv } from './lib/klog.mjs';
import { DynamicServing } from './lib/serving.mjs';

const log = createLogger();
const { flags } = parseFlags(process.argv.slice(2));
const version = versionInfo(process.env.SIM_IMAGE);
const HEALTH_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = durationFlag(flags, 'request-timeout', 60_000);
const CHECKS = { healthz: ['ping', 'log', 'etcd'], livez: ['ping', 'log', 'etcd'],
  readyz: ['ping', 'log', 'etcd', 'shutdown'] };

let shuttingDown = false;
let etcd;
let serving;
let server;

try {
  await main();
} catch (error) {
  log.error('run.go:74', `"command failed" ${kv('err', error.message)}`);
  process.exit(1);
}

async function main() {
  log.info('server.go', `Version: ${version.gitVersion}`);
  const servers = (flags.get('etcd-servers') ?? '').split(',').filter(Boolean);
  if (servers.length === 0) throw new Error('[--etcd-servers must be specified]');
  const port = Number(flags.get('secure-port') ?? 6443);
  const address = listenAddress();
  const prefix = flags.get('etcd-prefix') ?? '/registry';

  serving = new DynamicServing({
    certFile: flags.get('tls-cert-file'),
    keyFile: flags.get('tls-private-key-file'),
    clientCaFile: flags.get('client-ca-file'),
    log,
  });
  etcd = new EtcdClient({
    servers,
    caFile: flags.get('etcd-cafile'),
    certFile: flags.get('etcd-certfile'),
    keyFile: flags.get('etcd-keyfile'),
    log,
  });

  const pending = [];
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (server === undefined) pending.push(socket);
    else server.emit('connection', socket);
  });
  await listen(listener, address, port);

  etcd.start();
  const dialMs = parseDuration(process.env.SIM_ETCD_DIAL_TIMEOUT ?? '20s');
  if (!(await etcd.waitForReady(Date.now() + dialMs))) {
    throw new Error('context deadline exceeded');
  }

  server = https.createServer(serving.serverOptions(), (req, res) => {
    handle(req, res, prefix).catch((error) => {
      log.error('handler.go', `"Unhandled error" ${kv('err', error.message)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  serving.watch(server);
  for (const socket of pending.splice(0)) server.emit('connection', socket);
  log.info('secure_serving.go', `Serving securely on ${address}:${port}`);

  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => shutdown(listener));
}

/**
 * The address to listen on: --bind-address, except that an unspecified one (the default
 * 0.0.0.0) becomes --advertise-address, because the simulated masters share one network
 * namespace and only one process could hold 0.0.0.0:6443.
 */
function listenAddress() {
  const bind = flags.get('bind-address');
  if (bind && bind !== '0.0.0.0' && bind !== '::') return bind;
  const advertise = flags.get('advertise-address') ?? process.env.SIM_NODE_IP;
  if (!advertise) {
    throw new Error('the stand-in needs --advertise-address or a specific --bind-address');
  }
  return advertise;
}

function listen(listener, address, port) {
  return new Promise((resolve, reject) => {
    listener.once('error', (error) => {
      reject(new Error(`failed to create listener: failed to listen on ${address}:${port}: ` +
        `listen tcp ${address}:${port}: bind: ${error.code === 'EADDRINUSE' ?
          'address already in use' : error.message}`));
    });
    listener.listen(port, address, resolve);
  });
}

async function handle(req, res, prefix) {
  const url = new URL(req.url, 'https://apiserver');
  const who = serving.authenticate(req);
  if (who.error !== undefined) {
    log.error('authentication.go', `"Unable to authenticate the request" err="[${who.error}]"`);
    return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
  }

  const [, root, sub] = url.pathname.split('/');
  if (root in CHECKS && url.pathname.split('/').length <= 3) {
    return sendHealth(res, root, sub, url.searchParams.has('verbose'), prefix);
  }
  if (url.pathname === '/version') return sendJson(res, 200, version);

  if (who.anonymous) {
    const what = url.pathname === '/api/v1/namespaces/default'
      ? 'namespaces "default" is forbidden: User "system:anonymous" cannot get resource ' +
        '"namespaces" in API group "" in the namespace "default"'
      : `forbidden: User "system:anonymous" cannot get path "${url.pathname}"`;
    return sendStatus(res, 403, 'Forbidden', what);
  }
  if (url.pathname === '/api/v1/namespaces/default' && req.method === 'GET') {
    try {
      await etcd.range(`${prefix}/namespaces/default`, REQUEST_TIMEOUT_MS);
    } catch (error) {
      return sendStatus(res, 504, 'Timeout',
        `Timeout: request did not complete within requested timeout - ${error.message}`);
    }
    return sendJson(res, 200, {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
}

/** /healthz, /livez, /readyz and their single checks, with the real bodies. */
async function sendHealth(res, kind, single, verbose, prefix) {
  const names = CHECKS[kind];
  if (single !== undefined && single !== '') {
    if (!names.includes(single)) return sendText(res, 404, '404 page not found\n');
    const error = await runCheck(single, prefix);
    return error === undefined ? sendText(res, 200, 'ok')
      : sendText(res, 500, `internal server error: ${error}\n`);
  }

  const results = await Promise.all(
    names.map(async (name) => [name, await runCheck(name, prefix)]),
  );
  const failed = results.filter(([, error]) => error !== undefined);
  if (failed.length === 0 && !verbose) return sendText(res, 200, 'ok');
  const lines = results.map(([name, error]) =>
    (error === undefined ? `[+]${name} ok` : `[-]${name} failed: reason withheld`));
  if (failed.length > 0) {
    log.info('healthz.go', `[-]${failed.map(([n, e]) => `${n} failed: ${e}`).join(', ')}`);
  }
  const verdict = failed.length > 0 ? 'failed' : 'passed';
  const body = `${lines.join('\n')}\n${kind} check ${verdict}\n`;
  return sendText(res, failed.length > 0 ? 500 : 200, body);
}

/** undefined when the check passes, else its reason. */
async function runCheck(name, prefix) {
  if (name === 'shutdown') return shuttingDown ? 'process is shutting down' : undefined;
  if (name !== 'etcd') return undefined;
  try {
    await etcd.range(`${prefix}/health`, HEALTH_TIMEOUT_MS);
    return undefined;
  } catch (error) {
    return `error getting data from etcd: ${error.message}`;
  }
}

function sendText(res, status, body) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(value, null, 2)}\n`);
}

function sendStatus(res, code, reason, message) {
  sendJson(res, code, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code,
  });
}

/** Graceful stop: no new connections, in-flight requests finish, exit 0. */
function shutdown(listener) {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info('genericapiserver.go',
    '"[graceful-termination] shutdown event" name="ShutdownInitiated"');
  listener.close();
  server.closeIdleConnections();
  server.close(() => {
    etcd.close();
    log.info('genericapiserver.go', '"[graceful-termination] apiserver is exiting"');
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 5000).unref();
}

/** /version from the image tag the kubelet passes (v1.22.15-aliyun.1 and the like). */
function versionInfo(image) {
  const tag = /:(v\d+\.\d+\.\d+[^/]*)$/.exec(image ?? '')?.[1] ?? 'v1.22.15';
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(tag);
  return {
    major, minor, gitVersion: tag, gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2022-10-12T00:00:00Z', goVersion: 'go1.16.15',
    compiler: 'gc', platform: 'linux/amd64',
  };
}
