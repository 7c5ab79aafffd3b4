import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { CloudCredentials, defaultCredentials } from '../../src/cloud/credentials.js';
import { createEcsApi } from '../../src/cloud/ecs-api.js';
import { createMetadataClient } from '../../src/cloud/metadata.js';
import { PreflightError } from '../../src/errors.js';
import { startEcsStandin, type EcsStandin } from './ecs-standin/server.js';
import { startMetadataStandin } from './ecs-standin/metadata.js';

const REGION = 'cn-standin-1';
const KEY_ID = 'LTAI5tStandinKeyId01';
const SECRET = 'standin-secret-never-printed-9f3a';
const FAST = { attempts: 3, firstDelayMs: 20 };

const test = suite<{ standin: EcsStandin }>('the ECS API client against the stand-in');

test.before(async (ctx) => {
  ctx.standin = await startEcsStandin({
    region: REGION,
    keys: { [KEY_ID]: { secret: SECRET } },
    instances: [
      { instanceId: 'i-m1', name: 'master-1', privateIp: '10.0.0.1', tags: { 'ack.aliyun.com': 'c1' }, master: 1 },
      { instanceId: 'i-w1', name: 'worker-1', privateIp: '10.0.1.1', tags: { 'ack.aliyun.com': 'c1' } },
      { instanceId: 'i-x', name: 'other', privateIp: '10.0.2.1', tags: { 'ack.aliyun.com': 'c2' } },
    ],
    exec: async (_master, script) => ({ exitCode: script.includes('fail') ? 3 : 0, stdout: `ran ${script.length} bytes\n`, stderr: '' }),
  });
});

test.after(async (ctx) => {
  await ctx.standin.close();
});

function api(standin: EcsStandin, id = KEY_ID, secret = SECRET) {
  return createEcsApi({
    region: REGION,
    endpoint: standin.url,
    retry: FAST,
    credentials: { get: async () => new CloudCredentials(id, secret, undefined, 'environment') },
  });
}

test('DescribeInstances signed by the SDK passes the V3 check and filters by the cluster tag', async ({ standin }) => {
  const found = await api(standin).describeInstances({ clusterId: 'c1' });
  assert.equal(found.map((i) => i.instanceId).sort(), ['i-m1', 'i-w1']);
  assert.equal(found.find((i) => i.instanceId === 'i-m1')?.privateIps, ['10.0.0.1']);
  assert.is(standin.requests.at(-1)?.code, 'OK');
});

test('RunCommand runs the script and DescribeInvocationResults reports its exit code and output', async ({ standin }) => {
  const client = api(standin);
  const invokeId = await client.runCommand({ instanceId: 'i-m1', name: 't', script: 'echo fail', timeoutS: 60 });
  await standin.settled();
  const result = await client.describeInvocationResult(invokeId, 'i-m1');
  assert.is(result?.status, 'Failed');
  assert.is(result?.exitCode, 3);
  assert.match(result?.output ?? '', /ran 9 bytes/);
});

test('an unknown access key is refused with the service\'s code, and the secret is in no message', async ({ standin }) => {
  const error = await api(standin, 'LTAI5tUnknownKey0000').describeInstances({ clusterId: 'c1' }).catch((e: unknown) => e);
  assert.instance(error, PreflightError);
  const text = `${(error as PreflightError).message} ${(error as PreflightError).remedy}`;
  assert.match(text, /InvalidAccessKeyId\.NotFound/);
  assert.match(text, /ALIBABA_CLOUD_ACCESS_KEY_ID/);
  assert.not.match(text, /standin-secret/);
});

test('a wrong secret fails the signature check', async ({ standin }) => {
  const error = await api(standin, KEY_ID, 'wrong-secret').describeInstances({ clusterId: 'c1' }).catch((e: unknown) => e);
  assert.match((error as Error).message, /SignatureDoesNotMatch/);
});

test('throttling answers are retried with backoff and then succeed', async ({ standin }) => {
  standin.throttle(2);
  const found = await api(standin).describeInstances({ clusterId: 'c2' });
  assert.is(found.length, 1);
  assert.equal(standin.requests.slice(-3).map((r) => r.code), ['Throttling.User', 'Throttling.User', 'OK']);
});

test('throttling that outlasts the retries becomes a clear preflight error', async ({ standin }) => {
  standin.throttle('always');
  const error = await api(standin).describeInstances({ clusterId: 'c2' }).catch((e: unknown) => e);
  standin.throttle(0);
  assert.instance(error, PreflightError);
  assert.match((error as Error).message, /kept throttling DescribeInstances in region cn-standin-1 .*: 3 attempts .* Throttling\.User/);
  assert.match((error as PreflightError).remedy ?? '', /nothing was changed/);
});

test('the RAM role\'s STS credentials come from the metadata service and are accepted with their token', async () => {
  const role = { name: 'KubernetesMasterRole-standin', accessKeyId: 'STS.standinRoleKey01', secret: 'role-secret-xyz', securityToken: 'CAIS-standin-token', expiresAt: new Date(Date.now() + 3600_000) };
  const metadata = await startMetadataStandin({ region: REGION, instanceId: 'i-m1', role });
  try {
    const stsStandin = await startEcsStandin({
      address: '127.0.0.252',
      region: REGION,
      keys: { [role.accessKeyId]: { secret: role.secret, securityToken: role.securityToken } },
      instances: [{ instanceId: 'i-m1', name: 'm', privateIp: '10.0.0.1', tags: {} }],
      exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    });
    const credentials = defaultCredentials({}, createMetadataClient(metadata.url));
    const client = createEcsApi({ region: REGION, endpoint: stsStandin.url, credentials, retry: FAST });
    assert.is((await client.describeInstances({ instanceIds: ['i-m1'] })).length, 1);
    assert.is((await client.describeInstances({ instanceIds: ['i-m1'] })).length, 1);
    const fetched = metadata.paths.filter((p) => p.endsWith(role.name)).length;
    assert.is(fetched, 1, 'credentials are cached until shortly before they expire');
    await stsStandin.close();
  } finally {
    await metadata.close();
  }
});

test('credentials never show their secret or token when printed or serialised', () => {
  const keys = new CloudCredentials('LTAI5tPrintedKey1234', 'the-secret-value', 'the-token-value', 'environment');
  for (const text of [JSON.stringify(keys), inspect(keys), String(keys), JSON.stringify({ keys })]) {
    assert.not.match(text, /the-secret-value|the-token-value/);
    assert.not.match(text, /LTAI5tPrintedKey1234/);
  }
});

test.run();
