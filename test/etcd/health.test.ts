import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterHealth, listMembers } from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const clusterHealthSuite = suite('clusterHealth');
const cluster = useEtcdCluster(clusterHealthSuite);

clusterHealthSuite('finds every member healthy and all agreeing on one leader', async () => {
  const { endpoints, tls } = cluster();
  const health = await clusterHealth(endpoints, tls);

  assert.ok(health.healthy, health.problems.join('; '));
  assert.equal(health.problems, []);
  assert.equal(health.unchecked, []);
  assert.is(health.leaderAgreed, true);
  assert.equal(health.endpoints.map((e) => e.endpoint), endpoints);
  for (const e of health.endpoints) {
    assert.is(e.healthy, true);
    assert.is(e.status?.leaderId, health.leaderId);
    assert.type(e.readLatencyMs, 'number');
  }
  assert.is(health.endpoints.filter((e) => e.status?.isLeader).length, 1);
});

clusterHealthSuite('includes the member list with names and URLs', async () => {
  const { endpoints, tls, members } = cluster();
  const health = await clusterHealth(endpoints, tls);

  const listed = [...health.members].sort((a, b) => a.name.localeCompare(b.name));
  assert.equal(listed.map((m) => m.name), members.map((m) => m.name));
  assert.equal(listed.map((m) => m.clientUrls), members.map((m) => [m.clientUrl]));
  assert.equal(listed.map((m) => m.peerUrls), members.map((m) => [m.peerUrl]));
  const ids = health.endpoints.map((e) => e.status?.memberId).sort();
  assert.equal(listed.map((m) => m.id).sort(), ids);
});

clusterHealthSuite('counts a member whose endpoint was not given as a problem', async () => {
  const { endpoints, tls, members } = cluster();
  const health = await clusterHealth(endpoints.slice(0, 2), tls);

  assert.is(health.healthy, false);
  assert.equal(health.unchecked.map((m) => m.name), [members[2]?.name]);
  assert.equal(health.problems, [`member etcd-3 (${endpoints[2]}) was not checked`]);
});

clusterHealthSuite.run();

const listMembersSuite = suite('listMembers');
const cluster2 = useEtcdCluster(listMembersSuite);

listMembersSuite('asks the next endpoint when the first does not answer', async () => {
  const { endpoints, tls } = cluster2();
  const list = await listMembers(['https://127.0.0.24:2379', ...endpoints], tls);

  assert.is(list.endpoint, endpoints[0]);
  assert.is(list.members.length, 3);
});

listMembersSuite.run();
