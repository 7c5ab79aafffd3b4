/**
 * A local stand-in for the ECS RPC API on a loopback address: verifies each
 * request's V3 signature, answers DescribeInstances, RunCommand,
 * DescribeInvocationResults and StopInvocation, and runs Cloud Assistant
 * scripts inside the simulated masters. Errors have the service's shape.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveAction, type Invocation, type StandinInstance } from './actions.js';
import { parseAuthorization, verifySignatureV3, type ApiRefusal } from './signature.js';

export type { Invocation, StandinInstance };

/** An access key the stand-in accepts; STS keys carry their token. */
export interface StandinKey {
  secret: string;
  securityToken?: string;
}

/** Options of `startEcsStandin`. */
export interface EcsStandinOptions {
  address?: string;
  region: string;
  keys: Record<string, StandinKey>;
  instances: StandinInstance[];
  /** Runs a script as root inside a master; resolves when it ends. */
  exec(master: number, script: string, timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

/** One request as the stand-in saw it. */
export interface LoggedRequest {
  action: string;
  code: string;
  accessKeyId?: string;
  /** The decoded script, for RunCommand. */
  script?: string;
}

/** A running stand-in. */
export interface EcsStandin {
  /** `http://<address>:<port>`, for ETCD_ROTATE_ECS_ENDPOINT. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  readonly invocations: Map<string, Invocation>;
  /** Answer the next `count` requests (or every one) with Throttling.User. */
  throttle(count: number | 'always'): void;
  /** Invocations on `instanceId` are accepted but never start (its Cloud Assistant is gone), or start again. */
  stall(instanceId: string, stalled?: boolean): void;
  /** Waits for every running invocation to end. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stand-in on `address` (default 127.0.0.250), any free port. */
export async function startEcsStandin(options: EcsStandinOptions): Promise<EcsStandin> {
  const requests: LoggedRequest[] = [];
  const invocations = new Map<string, Invocation>();
  const stalled = new Set<string>();
  const running = new Set<Promise<void>>();
  const nonces = new Set<string>();
  let throttled: number | 'always' = 0;

  function run(instance: StandinInstance, invocation: Invocation): void {
    if (instance.master === undefined) {
      invocation.status = 'Failed';
      invocation.exitCode = 127;
      return;
    }
    invocation.status = 'Running';
    invocation.startTime = new Date().toISOString();
    const done = options.exec(instance.master, invocation.script, invocation.timeoutS * 1000).then(
      (result) => {
        invocation.output = result.stdout + result.stderr;
        if (invocation.status !== 'Running') return;
        invocation.exitCode = result.exitCode;
        invocation.status = result.exitCode === 0 ? 'Success' : 'Failed';
        invocation.finishedTime = new Date().toISOString();
      },
      (error: unknown) => {
        invocation.output = String(error);
        invocation.status = 'Failed';
      },
    );
    running.add(done);
    void done.finally(() => running.delete(done));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
    const action = String(req.headers['x-acs-action'] ?? '');
    const log: LoggedRequest = { action, code: 'OK' };
    requests.push(log);

    const refusal = authenticate(request, log);
    if (refusal) return reply(res, refusal, log);
    if (throttled === 'always' || throttled > 0) {
      if (throttled !== 'always') throttled -= 1;
      return reply(res, { status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' }, log);
    }
    const params = new URL(request.url, 'http://standin').searchParams;
    const result = serveAction(action, params, { region: options.region, instances: options.instances, invocations, stalled, run });
    if (action === 'RunCommand' && params.get('CommandContent')) {
      log.script = Buffer.from(params.get('CommandContent')!, 'base64').toString('utf8');
    }
    if ('body' in result) {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(result.body));
      return;
    }
    reply(res, result, log);
  }

  function authenticate(request: Parameters<typeof verifySignatureV3>[0], log: LoggedRequest): ApiRefusal | undefined {
    const auth = parseAuthorization(single(request.headers['authorization']));
    if ('status' in auth) return auth;
    log.accessKeyId = auth.accessKeyId;
    const key = options.keys[auth.accessKeyId];
    if (!key) return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    const token = single(request.headers['x-acs-security-token']);
    if (key.securityToken !== undefined && token !== key.securityToken) {
      return { status: 400, code: 'InvalidSecurityToken.Mismatch', message: 'Specified SecurityToken mismatch with the AccessKey.' };
    }
    return verifySignatureV3(request, auth, key.secret, {
      now: Date.now(),
      seenNonce: (nonce) => {
        if (nonces.has(nonce)) return true;
        nonces.add(nonce);
        return false;
      },
    });
  }

  function reply(res: ServerResponse, refusal: ApiRefusal, log: LoggedRequest): void {
    log.code = refusal.code;
    res.writeHead(refusal.status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify({
      RequestId: randomUUID().toUpperCase(),
      HostId: `ecs.${options.region}.aliyuncs.com`,
      Code: refusal.code,
      Message: refusal.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${refusal.code}`,
    }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify({ Code: 'InternalError', Message: String(error), RequestId: randomUUID() }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.address ?? '127.0.0.250', () => resolve());
  });
  const bound = server.address() as AddressInfo;

  return {
    url: `http://${bound.address}:${bound.port}`,
    requests,
    invocations,
    throttle: (count) => {
      throttled = count;
    },
    stall: (instanceId, on = true) => {
      if (on) stalled.add(instanceId);
      else stalled.delete(instanceId);
    },
    settled: async () => {
      await Promise.all([...running]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
