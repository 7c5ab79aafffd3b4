import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import {
  checkEndpoint, clusterHealth, memberStatus, putAndGet, snapshot,
} from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const checkEndpointSuite = suite('checkEndpoint');

checkEndpointSuite('accepts https URLs with a port and drops a final slash', () => {
  const cases: Array<[string, string]> = [
    ['https://127.0.0.1:2379', 'https://127.0.0.1:2379'],
    ['https://127.0.0.1:2379/', 'https://127.0.0.1:2379'],
    ['https://etcd-1.example:2379', 'https://etcd-1.example:2379'],
    ['https://[fd00::1]:2379', 'https://[fd00::1]:2379'],
  ];
  for (const [input, output] of cases) assert.is(checkEndpoint(input), output);
});

checkEndpointSuite('refuses anything else as an input error', () => {
  for (const input of ['127.0.0.1:2379', 'http://127.0.0.1:2379', 'https://127.0.0.1', 'https://127.0.0.1:2379/v3', '']) {
    assert.throws(() => checkEndpoint(input), (e: unknown) => e instanceof InputError, input);
  }
});

checkEndpointSuite.run();

const connections = suite('etcd calls');
const cluster = useEtcdCluster(connections);

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;
}

connections('leave no connection open, whether they succeed or fail', async () => {
  const { endpoints, tls, dir } = cluster();
  const before = openSockets();
  await clusterHealth(endpoints, tls);
  await putAndGet(endpoints, tls);
  await snapshot(endpoints[0] as string, tls, join(dir, 'handles.db'));
  await memberStatus('https://127.0.0.24:2379', tls).catch(() => undefined);
  await memberStatus(endpoints[0] as string, { ...tls, ca: tls.cert }).catch(() => undefined);

  const until = Date.now() + 2_000;
  while (openSockets() > before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.is(openSockets(), before, process.getActiveResourcesInfo().join(', '));
});

connections('reject a malformed endpoint as an input error before connecting', async () => {
  const { tls } = cluster();
  const error = await memberStatus('127.0.0.21:2379', tls).catch((e: unknown) => e);

  assert.instance(error, InputError);
  assert.match((error as Error).message, /etcd endpoint "127.0.0.21:2379" is not of the form https:\/\/host:port/);
});

connections.run();
