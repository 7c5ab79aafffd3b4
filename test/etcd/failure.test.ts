import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EtcdCallError, memberStatus, probeServedCertificate } from '../../src/etcd/index.js';
import { describeEtcdFailure } from '../../src/etcd/failure.js';
import { useEtcdCluster } from './fixture.js';
import { createCa, issueLeaf } from './fixture-pki.js';

const live = suite('etcd failures');
const cluster = useEtcdCluster(live);

async function failureOf(call: Promise<unknown>): Promise<EtcdCallError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  assert.instance(error, EtcdCallError);
  return error as EtcdCallError;
}

/** A listener that accepts connections and never says anything. */
async function silentServer(host: string, port: number): Promise<{ close(): void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

live('name an unknown certificate authority when the CA bundle is wrong', async () => {
  const { endpoints, tls, dir } = cluster();
  await mkdir(join(dir, 'wrong-ca'), { recursive: true });
  const wrongCa = await readFile((await createCa(join(dir, 'wrong-ca'), 'wrong-ca')).certPath);

  const error = await failureOf(memberStatus(endpoints[0] as string, { ...tls, ca: wrongCa }));

  assert.is(error.kind, 'server-certificate');
  assert.is(error.message,
    'TLS handshake with etcd at https://127.0.0.21:2379 failed while reading member status: ' +
    'certificate signed by unknown authority (unable to verify the first certificate)');
  assert.match(String(error.remedy), /CA bundle/);
});

live('say that etcd refused the client certificate when it comes from another CA', async () => {
  const { endpoints, tls, dir } = cluster();
  const other = join(dir, 'foreign-client');
  await mkdir(other, { recursive: true });
  const ca = await createCa(other, 'foreign-ca');
  const leaf = await issueLeaf(other, ca, {
    name: 'client', commonName: 'intruder', ips: ['127.0.0.1'], usages: ['clientAuth'],
  });

  const error = await failureOf(memberStatus(endpoints[1] as string, {
    ...tls, cert: await readFile(leaf.certPath), key: await readFile(leaf.keyPath),
  }));

  assert.is(error.kind, 'client-certificate');
  assert.is(error.message,
    'etcd at https://127.0.0.22:2379 rejected our client certificate while reading member status ' +
    '(TLS alert "bad certificate")');
  assert.not.match(error.message, /PRIVATE KEY|BEGIN/);
});

live('report a stopped endpoint as unreachable at once', async () => {
  const { tls } = cluster();
  const started = performance.now();
  const error = await failureOf(memberStatus('https://127.0.0.24:2379', tls, { timeoutMs: 2_000 }));

  assert.is(error.kind, 'unreachable');
  assert.is(error.message, 'etcd at https://127.0.0.24:2379 is not reachable while reading member status: connection refused (nothing listens on 127.0.0.24:2379)');
  assert.ok(performance.now() - started < 1_000);
});

live('report an endpoint that never answers as a timeout within the limit', async () => {
  const { tls } = cluster();
  const silent = await silentServer('127.0.0.25', 2379);
  try {
    const started = performance.now();
    const error = await failureOf(memberStatus('https://127.0.0.25:2379', tls, { timeoutMs: 1_500 }));
    const elapsed = performance.now() - started;

    assert.is(error.kind, 'timeout');
    assert.is(error.message, 'etcd at https://127.0.0.25:2379 did not answer within 1.5 s while reading member status: no connection could be established');
    assert.ok(elapsed >= 1_400 && elapsed < 2_500, `${elapsed} ms`);

    const probeStarted = performance.now();
    const probeError = await failureOf(probeServedCertificate('127.0.0.25', 2379, {}, { timeoutMs: 1_000 }));
    assert.is(probeError.kind, 'timeout');
    assert.ok(performance.now() - probeStarted < 1_500);
  } finally {
    silent.close();
  }
});

live.run();

const describe = suite('describeEtcdFailure');

describe('maps gRPC, TLS and etcd messages to a kind and a plain reason', () => {
  const at = 'https://10.0.0.1:2379';
  const cases: Array<[string, string, RegExp]> = [
    ['14 UNAVAILABLE: No connection established. Last error: Error: self-signed certificate in certificate chain. Resolution note: ',
      'server-certificate', /certificate signed by unknown authority \(self-signed certificate in certificate chain\)/],
    ['14 UNAVAILABLE: No connection established. Last error: Error: certificate has expired. Resolution note: ',
      'server-certificate', /its certificate has expired/],
    ['14 UNAVAILABLE: No connection established. Last error: Error: Hostname/IP does not match certificate\'s altnames: IP: 10.0.0.1 is not in the cert\'s list: 10.0.0.2. Resolution note: ',
      'server-certificate', /its certificate does not name this address/],
    ['14 UNAVAILABLE: No connection established. Last error: 40:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n (2026-01-01T00:00:00.000Z). Resolution note: ',
      'client-certificate', /rejected our client certificate while testing \(TLS alert "unknown ca"\)/],
    ['14 UNAVAILABLE: No connection established. Last error: 40:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n (2026-01-01T00:00:00.000Z). Resolution note: ',
      'client-certificate', /TLS alert "certificate required"/],
    ['14 UNAVAILABLE: No connection established. Last error: Error: connect EHOSTUNREACH 10.0.0.1:2379. Resolution note: ',
      'unreachable', /is not reachable while testing: connect EHOSTUNREACH 10\.0\.0\.1:2379$/],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded after 3.001s,LB pick: 0.001s,remote_addr=10.0.0.1:2379',
      'timeout', /did not answer within 3 s while testing: connected, but the request got no answer/],
    ['9 FAILED_PRECONDITION: etcdserver: not leader',
      'rejected', /refused testing: etcdserver: not leader$/],
    ['14 UNAVAILABLE: etcdserver: request timed out',
      'rejected', /etcdserver: request timed out/],
    ['something new', 'failed', /failed while testing: something new$/],
  ];
  for (const [message, kind, expected] of cases) {
    const failure = describeEtcdFailure(new Error(message), at, 'testing', 3_000);
    assert.is(failure.kind, kind, message);
    assert.match(failure.message, expected);
    assert.ok(failure.message.startsWith('etcd at') || failure.message.startsWith('TLS handshake with etcd at'));
    assert.instance(failure.cause, Error);
  }
});

describe.run();
