import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EtcdCallError, leaderEndpoint, memberStatus, moveLeader,
} from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const leaderEndpointSuite = suite('leaderEndpoint');
const cluster = useEtcdCluster(leaderEndpointSuite);

leaderEndpointSuite('returns the endpoint of the member whose status says leader', async () => {
  const { endpoints, tls } = cluster();
  const leader = await leaderEndpoint(endpoints, tls);
  const status = await memberStatus(leader.endpoint, tls);

  assert.is(status.isLeader, true);
  assert.is(status.memberId, leader.memberId);
});

leaderEndpointSuite('finds the leader through the member list when its endpoint is not given', async () => {
  const { endpoints, tls } = cluster();
  const leader = await leaderEndpoint(endpoints, tls);
  const others = endpoints.filter((e) => e !== leader.endpoint);

  assert.equal(await leaderEndpoint(others, tls), leader);
});

leaderEndpointSuite.run();

const moveLeaderSuite = suite('moveLeader');
const cluster2 = useEtcdCluster(moveLeaderSuite);

moveLeaderSuite('hands leadership to the chosen member, as its status confirms', async () => {
  const { endpoints, tls } = cluster2();
  const before = await leaderEndpoint(endpoints, tls);
  const target = endpoints.find((e) => e !== before.endpoint) as string;
  const targetId = (await memberStatus(target, tls)).memberId;

  const move = await moveLeader(endpoints, tls, targetId);

  assert.equal(
    { from: move.fromMemberId, to: move.toMemberId, moved: move.moved },
    { from: before.memberId, to: targetId, moved: true },
  );
  assert.is((await memberStatus(target, tls)).isLeader, true);
  assert.is((await memberStatus(before.endpoint, tls)).isLeader, false);
  assert.ok(move.tookMs < 5_000, `took ${move.tookMs} ms`);
});

moveLeaderSuite('does nothing when the chosen member already leads', async () => {
  const { endpoints, tls } = cluster2();
  const leader = await leaderEndpoint(endpoints, tls);

  const move = await moveLeader(endpoints, tls, leader.memberId);

  assert.is(move.moved, false);
  assert.is((await leaderEndpoint(endpoints, tls)).memberId, leader.memberId);
});

moveLeaderSuite('reports etcd refusing a member id it does not know', async () => {
  const { endpoints, tls } = cluster2();
  const error = await moveLeader(endpoints, tls, '12345').catch((e: unknown) => e);

  assert.instance(error, EtcdCallError);
  assert.is((error as EtcdCallError).kind, 'rejected');
  assert.match((error as Error).message, /refused moving leadership to member 0000000000003039: etcdserver: bad leader transferee/);
});

moveLeaderSuite.run();
