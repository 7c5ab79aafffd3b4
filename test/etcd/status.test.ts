import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMemberId, memberStatus } from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const memberStatusSuite = suite('memberStatus');
const cluster = useEtcdCluster(memberStatusSuite);

memberStatusSuite('reports each member as itself and names exactly one leader', async () => {
  const { endpoints, tls } = cluster();
  const statuses = await Promise.all(endpoints.map((e) => memberStatus(e, tls)));

  assert.equal(statuses.map((s) => s.endpoint), endpoints);
  assert.is(new Set(statuses.map((s) => s.memberId)).size, 3);
  assert.is(statuses.filter((s) => s.isLeader).length, 1);
  const leader = statuses.find((s) => s.isLeader);
  for (const s of statuses) {
    assert.is(s.leaderId, leader?.memberId);
    assert.is(s.version, '3.4.23');
    assert.ok(s.raftTerm > 0 && s.raftIndex > 0 && s.dbSize > 0);
    assert.equal(s.errors, []);
  }
});

memberStatusSuite('keeps member ids exact (beyond 2^53) and as etcdctl prints them', async () => {
  const { endpoints, tls, etcdctl } = cluster();
  for (const endpoint of endpoints) {
    const status = await memberStatus(endpoint, tls);
    const table = await etcdctl(['endpoint', 'status', '-w', 'table'], [endpoint]);

    assert.match(status.memberId, /^\d+$/);
    assert.ok(table.includes(`| ${formatMemberId(status.memberId)} |`), table);
  }
});

memberStatusSuite('answers within a few milliseconds once connected', async () => {
  const { endpoints, tls } = cluster();
  const samples = [];
  for (let i = 0; i < 5; i++) samples.push((await memberStatus(endpoints[1] as string, tls)).latencyMs);
  samples.sort((a, b) => a - b);
  assert.ok((samples[2] ?? Infinity) < 500, `median ${samples[2]} ms`);
});

memberStatusSuite.run();

const formatMemberIdSuite = suite('formatMemberId');

formatMemberIdSuite('prints ids as 16 hex digits, as etcdctl does', () => {
  const cases: Array<[string, string]> = [
    ['0', '0000000000000000'],
    ['12345', '0000000000003039'],
    ['13989106309876000536', 'c2234a124555a718'],
    ['18446744073709551615', 'ffffffffffffffff'],
  ];
  for (const [id, hex] of cases) assert.is(formatMemberId(id), hex);
});

formatMemberIdSuite.run();
