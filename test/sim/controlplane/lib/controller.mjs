/**
 * What kube-controller-manager and kube-scheduler stand-ins share: the kubeconfig read once at
 * start, a call to the apiserver every 2 s over one kept-alive connection presenting the
 * kubeconfig's client certificate, and an HTTPS health endpoint that answers ok only while
 * the last call succeeded.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { isIP } from 'node:net';
import { parseFlags } from './flags.mjs';
import { describeDialError } from './go-errors.mjs';
import { createLogger, kv } from './klog.mjs';
import { loadKubeconfig } from './kubeconfig.mjs';
import { selfSignedPair } from './self-signed.mjs';

const CALL_PERIOD_MS = 2000;
const CALL_TIMEOUT_MS = 5000;
const CHECK_PATH = '/api/v1/namespaces/default';
const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost']);

/** Runs the component `name` (for logs) with its default secure port. */
export async function runControllerComponent(name, defaultPort) {
  const log = createLogger();
  const { flags } = parseFlags(process.argv.slice(2));
  try {
    await run(name, defaultPort, flags, log);
  } catch (error) {
    log.error('run.go:74', `"command failed" ${kv('err', error.message)}`);
    process.exit(1);
  }
}

async function run(name, defaultPort, flags, log) {
  const kubeconfigPath = flags.get('kubeconfig');
  if (!kubeconfigPath) {
    throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and ' +
      'KUBERNETES_SERVICE_PORT must be defined');
  }
  const kc = loadKubeconfig(kubeconfigPath);
  const address = bindAddress(flags.get('bind-address'), log);
  const port = Number(flags.get('secure-port') ?? defaultPort);
  const certFile = flags.get('tls-cert-file');
  const pair = certFile
    ? { cert: readFileSync(certFile), key: readFileSync(flags.get('tls-private-key-file')) }
    : selfSignedPair(address);

  const agent = new https.Agent({
    keepAlive: true, maxSockets: 1, maxCachedSessions: 0, ca: kc.ca, cert: kc.cert, key: kc.key,
  });
  const health = { ok: false, reason: 'no call to the apiserver yet' };
  const server = https.createServer(pair, (req, res) => sendHealth(req, res, health));
  await new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error('failed to create listener: ' +
      `failed to listen on ${address}:${port}: ${error.code ?? error.message}`)));
    server.listen(port, address, resolve);
  });
  log.info('secure_serving.go', `Serving securely on ${address}:${port}`);

  const url = `${kc.server}${CHECK_PATH}`;
  const tick = async () => {
    const result = await getOnce(url, agent);
    const was = health.ok;
    health.ok = result.ok;
    health.reason = result.ok ? '' : result.reason;
    if (result.ok && !was) {
      log.info(`${name}.go`, `"Reached the apiserver" ${kv('url', url)} ${kv('user', kc.user)}`);
    }
    if (!result.ok) {
      const err = `Get "${url}": ${result.reason}`;
      log.error(`${name}.go`, `"Apiserver call failed" ${kv('err', err)}`);
    }
  };
  await tick();
  const timer = setInterval(tick, CALL_PERIOD_MS);

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      clearInterval(timer);
      agent.destroy();
      server.close();
      server.closeAllConnections();
      log.info('server.go', `"Stopping ${name} on ${signal}"`);
      process.exit(0);
    });
  }
}

/**
 * --bind-address, except that a loopback or unspecified one moves to $SIM_NODE_IP: on real
 * masters each has its own 127.0.0.1, in the simulation all masters share one.
 */
function bindAddress(flag, log) {
  const wanted = flag ?? '0.0.0.0';
  const nodeIp = process.env.SIM_NODE_IP;
  if (!LOOPBACK_OR_ANY.has(wanted) || !nodeIp) return wanted;
  log.info('serving.go', `"Binding to the node address instead" ` +
    `${kv('bindAddress', wanted)} ${kv('nodeIP', nodeIp)}`);
  return nodeIp;
}

/** One GET; `{ ok }` or `{ ok: false, reason }` in client-go's words. */
function getOnce(url, agent) {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = https.get(url, {
      agent,
      timeout: CALL_TIMEOUT_MS,
      servername: isIP(target.hostname) ? undefined : target.hostname,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode === 200) return resolve({ ok: true });
        let message = text.trim();
        try {
          message = JSON.parse(text).message ?? message;
        } catch { /* not a Status object: keep the text */ }
        resolve({ ok: false, reason: message || `HTTP ${res.statusCode}` });
      });
    });
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (error) => {
      resolve({ ok: false, reason: describeDialError(error, target.hostname, target.port || 443) });
    });
  });
}

function sendHealth(req, res, health) {
  const path = new URL(req.url, 'https://component').pathname;
  if (!['/healthz', '/livez', '/readyz'].includes(path)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
    return;
  }
  res.writeHead(health.ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
  const failed = '[+]ping ok\n[-]apiserver-connection failed: reason withheld\n' +
    `${path.slice(1)} check failed\n`;
  res.end(health.ok ? 'ok' : failed);
}
