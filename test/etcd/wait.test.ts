import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterHealth, EtcdCallError, waitForHealthy } from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const waitSuite = suite('waitForHealthy');
const cluster = useEtcdCluster(waitSuite);

waitSuite('returns at once for a healthy cluster', async () => {
  const { endpoints, tls } = cluster();
  const elapsed = await waitForHealthy({ endpoints, tls, timeoutMs: 5_000 });

  assert.ok(elapsed < 1_000, `${elapsed} ms`);
});

waitSuite('waits for a stopped member to be started again and rejoin', async () => {
  const fixture = cluster();
  const { endpoints, tls } = fixture;
  await fixture.stopMember(2);
  try {
    const down = await clusterHealth(endpoints, tls);
    assert.is(down.healthy, false);
    assert.equal(down.endpoints.map((e) => e.healthy), [true, true, false]);
    assert.is(down.endpoints[2]?.error?.kind, 'unreachable');
    assert.is(down.leaderAgreed, true);
  } finally {
    await fixture.startMember(2);
  }

  const elapsed = await waitForHealthy({ endpoint: endpoints[2], tls, timeoutMs: 15_000, intervalMs: 50 });

  assert.ok(elapsed < 15_000);
  assert.ok((await clusterHealth(endpoints, tls)).healthy);
});

waitSuite('gives up after the timeout with the last problem it saw', async () => {
  const { tls } = cluster();
  const started = performance.now();
  const error = await waitForHealthy({
    endpoint: 'https://127.0.0.24:2379', tls, timeoutMs: 1_000, intervalMs: 100,
  }).catch((e: unknown) => e);
  const elapsed = performance.now() - started;

  assert.instance(error, EtcdCallError);
  assert.is((error as EtcdCallError).kind, 'timeout');
  assert.match((error as Error).message, /did not become healthy within 1 s: .*connection refused/);
  assert.instance((error as Error).cause, EtcdCallError);
  assert.ok(elapsed >= 900 && elapsed < 2_000, `${elapsed} ms`);
});

waitSuite.run();
