import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { putAndGet, VERIFY_KEY } from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const putAndGetSuite = suite('putAndGet');
const cluster = useEtcdCluster(putAndGetSuite);

putAndGetSuite('writes a fresh value and reads it back from every member', async () => {
  const { endpoints, tls, etcdctl } = cluster();
  const first = await putAndGet(endpoints, tls);
  const second = await putAndGet(endpoints, tls);

  assert.is(second.allMatched, true);
  assert.is(second.key, VERIFY_KEY);
  assert.is.not(second.value, first.value);
  assert.ok(second.revision > first.revision);
  assert.equal(second.reads.map((r) => [r.endpoint, r.matched, r.value]),
    endpoints.map((e) => [e, true, second.value]));
  assert.is((await etcdctl(['get', '--print-value-only', VERIFY_KEY])).trim(), second.value);
});

putAndGetSuite('reports a member that cannot be read, and still writes through another', async () => {
  const { endpoints, tls } = cluster();
  const result = await putAndGet(['https://127.0.0.24:2379', ...endpoints], tls, {
    key: '/etcd-rotate/test/partial', value: 'v1',
  });

  assert.is(result.allMatched, false);
  assert.is(result.writtenAt, endpoints[0]);
  assert.is(result.reads[0]?.error?.kind, 'unreachable');
  assert.equal(result.reads.slice(1).map((r) => r.matched), [true, true, true]);
});

putAndGetSuite.run();
