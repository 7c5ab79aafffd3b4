import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeMasterInstances, discoverMasterInstances } from '../../src/cloud/discovery.js';
import type { EcsApi, EcsInstance } from '../../src/cloud/ecs-api.js';
import { PreflightError } from '../../src/errors.js';

const MEMBERS = [
  { name: 'etcd-1', ip: '10.0.0.1' },
  { name: 'etcd-2', ip: '10.0.0.2' },
  { name: 'etcd-3', ip: '10.0.0.3' },
];

function instance(id: string, ip: string, cluster = 'c1'): EcsInstance {
  return { instanceId: id, name: id, status: 'Running', privateIps: [ip], tags: { 'ack.aliyun.com': cluster } };
}

function fakeApi(instances: EcsInstance[]): EcsApi {
  return {
    region: 'cn-test',
    describeInstances: async (filter) =>
      'clusterId' in filter
        ? instances.filter((i) => i.tags['ack.aliyun.com'] === filter.clusterId)
        : instances.filter((i) => filter.instanceIds.includes(i.instanceId)),
    runCommand: async () => 't-1',
    describeInvocationResult: async () => undefined,
    stopInvocation: async () => undefined,
  };
}

const metadata = (instanceId: string) => ({ get: async (path: string) => (path === 'instance-id' ? instanceId : '') });

const test = suite('discoverMasterInstances');

test('matches every member to an instance by private IP and lists the other instances as workers', async () => {
  const api = fakeApi([instance('i-1', '10.0.0.1'), instance('i-2', '10.0.0.2'), instance('i-3', '10.0.0.3'), instance('i-w', '10.0.9.9')]);
  const found = await discoverMasterInstances(api, MEMBERS, { clusterId: 'c1', metadata: metadata('i-1') });
  assert.equal([...found.byMember].map(([name, i]) => [name, i.instanceId]), [['etcd-1', 'i-1'], ['etcd-2', 'i-2'], ['etcd-3', 'i-3']]);
  assert.equal(found.others.map((i) => i.instanceId), ['i-w']);
  assert.match(describeMasterInstances(found).at(-1)!, /1 other instance\(s\) of cluster c1 are no etcd member \(workers\): i-w/);
});

test('takes the cluster id from this instance\'s own tag', async () => {
  const api = fakeApi([instance('i-1', '10.0.0.1', 'c7'), instance('i-2', '10.0.0.2', 'c7'), instance('i-3', '10.0.0.3', 'c7')]);
  const found = await discoverMasterInstances(api, MEMBERS, { metadata: metadata('i-1') });
  assert.is(found.clusterId, 'c7');
});

test('refuses a member without an instance, naming it and what was found', async () => {
  const api = fakeApi([instance('i-1', '10.0.0.1'), instance('i-2', '10.0.0.2')]);
  const error = await discoverMasterInstances(api, MEMBERS, { clusterId: 'c1', metadata: metadata('i-1') }).catch((e: unknown) => e);
  assert.instance(error, PreflightError);
  assert.match((error as Error).message, /etcd member etcd-3 \(10\.0\.0\.3\); instances found: i-1 10\.0\.0\.1; i-2 10\.0\.0\.2/);
  assert.match((error as PreflightError).remedy ?? '', /--cluster-id/);
});

test('asks for --cluster-id when this instance has no cluster tag', async () => {
  const api = fakeApi([{ ...instance('i-1', '10.0.0.1'), tags: {} }]);
  const error = await discoverMasterInstances(api, MEMBERS, { metadata: metadata('i-1') }).catch((e: unknown) => e);
  assert.match((error as PreflightError).remedy ?? '', /pass --cluster-id/);
});

test.run();
