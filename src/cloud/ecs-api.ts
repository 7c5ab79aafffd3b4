import type * as ecs from '@alicloud/ecs20140526';
import type EcsModule from '@alicloud/ecs20140526';
import { DEFAULT_RETRY, callEcs, type RetryPolicy } from './api-errors.js';
import type { CredentialSource } from './credentials.js';

type EcsClient = InstanceType<typeof EcsModule.default>;
type EcsConfig = ConstructorParameters<typeof EcsModule.default>[0];

type Sdk = typeof ecs & { default: typeof EcsModule.default };

/**
 * The SDK, loaded on first use: it takes about 0.7 s to load, and only
 * --transport cloud-assistant and --discover ecs need it. The package is
 * CommonJS: Node's loader puts its exports on the default export, a loader
 * that honours `__esModule` (tsx, in the tests) on the namespace itself.
 */
async function loadSdk(): Promise<Sdk> {
  const loaded = (await import('@alicloud/ecs20140526')) as unknown as Sdk & { default: unknown };
  return typeof loaded.default === 'function' ? loaded : (loaded.default as Sdk);
}

/** The tag ACK puts on every ECS instance of a cluster, masters included; its value is the cluster id. */
export const ACK_CLUSTER_TAG = 'ack.aliyun.com';

/** An ECS instance as discovery needs it. */
export interface EcsInstance {
  instanceId: string;
  name: string;
  status: string;
  privateIps: string[];
  tags: Record<string, string>;
}

/** One instance's view of a Cloud Assistant invocation. */
export interface InvocationResult {
  /** Pending, Running, Success, Failed, Stopped, Timeout, ... */
  status: string;
  exitCode?: number;
  errorCode?: string;
  errorInfo?: string;
  /** The command's output so far, decoded. */
  output: string;
}

/** The ECS and Cloud Assistant calls this tool makes. */
export interface EcsApi {
  readonly region: string;
  /** Instances with tag ack.aliyun.com=<clusterId>, or the given ids. */
  describeInstances(filter: { clusterId: string } | { instanceIds: string[] }): Promise<EcsInstance[]>;
  /** Runs a shell script as root on one instance; resolves to the invocation id. */
  runCommand(request: { instanceId: string; name: string; script: string; timeoutS: number }): Promise<string>;
  describeInvocationResult(invokeId: string, instanceId: string): Promise<InvocationResult | undefined>;
  stopInvocation(invokeId: string, instanceId: string): Promise<void>;
}

/** Options of `createEcsApi`. */
export interface EcsApiOptions {
  region: string;
  credentials: CredentialSource;
  /** `https://ecs.<region>.aliyuncs.com` unless given (tests use an http stand-in). */
  endpoint?: string;
  retry?: RetryPolicy;
}

/** The ECS API through @alicloud/ecs20140526, signed with the current credentials on every call. */
export function createEcsApi(options: EcsApiOptions): EcsApi {
  const url = new URL(options.endpoint ?? `https://ecs.${options.region}.aliyuncs.com`);
  const where = `region ${options.region} (${url.host})`;
  const retry = options.retry ?? DEFAULT_RETRY;

  async function client(): Promise<{ api: EcsClient; sdk: Awaited<ReturnType<typeof loadSdk>> }> {
    const [keys, sdk] = await Promise.all([options.credentials.get(), loadSdk()]);
    const config = {
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.secret(),
      regionId: options.region,
      endpoint: url.host,
      protocol: url.protocol.replace(':', ''),
      connectTimeout: 5_000,
      readTimeout: 15_000,
    } as EcsConfig;
    const token = keys.securityToken();
    if (token) config.securityToken = token;
    return { api: new sdk.default(config), sdk };
  }

  return {
    region: options.region,

    async describeInstances(filter) {
      const found: EcsInstance[] = [];
      let nextToken: string | undefined;
      do {
        const { api, sdk } = await client();
        const request = new sdk.DescribeInstancesRequest({ regionId: options.region, maxResults: 100 });
        if ('clusterId' in filter) {
          request.tag = [new sdk.DescribeInstancesRequestTag({ key: ACK_CLUSTER_TAG, value: filter.clusterId })];
        }
        else request.instanceIds = JSON.stringify(filter.instanceIds);
        if (nextToken) request.nextToken = nextToken;
        const response = await callEcs('DescribeInstances', where, () => api.describeInstances(request), retry);
        for (const i of response.body?.instances?.instance ?? []) found.push(toInstance(i));
        nextToken = response.body?.nextToken || undefined;
      } while (nextToken);
      return found;
    },

    async runCommand(request) {
      const { api, sdk } = await client();
      const response = await callEcs(
        'RunCommand',
        where,
        () =>
          api.runCommand(
            new sdk.RunCommandRequest({
              regionId: options.region,
              instanceId: [request.instanceId],
              name: request.name,
              type: 'RunShellScript',
              commandContent: Buffer.from(request.script).toString('base64'),
              contentEncoding: 'Base64',
              timeout: request.timeoutS,
              keepCommand: false,
              username: 'root',
            }),
          ),
        retry,
      );
      return response.body?.invokeId ?? '';
    },

    async describeInvocationResult(invokeId, instanceId) {
      const { api, sdk } = await client();
      const response = await callEcs(
        'DescribeInvocationResults',
        where,
        () =>
          api.describeInvocationResults(
            new sdk.DescribeInvocationResultsRequest({
              regionId: options.region,
              invokeId,
              instanceId,
              contentEncoding: 'Base64',
            }),
          ),
        retry,
      );
      const result = response.body?.invocation?.invocationResults?.invocationResult?.[0];
      if (!result) return undefined;
      const decoded: InvocationResult = {
        status: result.invocationStatus ?? 'Unknown',
        output: Buffer.from(result.output ?? '', 'base64').toString('utf8'),
      };
      if (result.exitCode !== undefined) decoded.exitCode = result.exitCode;
      if (result.errorCode) decoded.errorCode = result.errorCode;
      if (result.errorInfo) decoded.errorInfo = result.errorInfo;
      return decoded;
    },

    async stopInvocation(invokeId, instanceId) {
      const { api, sdk } = await client();
      await callEcs(
        'StopInvocation',
        where,
        () =>
          api.stopInvocation(
            new sdk.StopInvocationRequest({ regionId: options.region, invokeId, instanceId: [instanceId] }),
          ),
        retry,
      );
    },
  };
}

function toInstance(i: ecs.DescribeInstancesResponseBodyInstancesInstance): EcsInstance {
  const tags: Record<string, string> = {};
  for (const t of i.tags?.tag ?? []) if (t.tagKey) tags[t.tagKey] = t.tagValue ?? '';
  const privateIps = [
    ...(i.vpcAttributes?.privateIpAddress?.ipAddress ?? []),
    ...(i.innerIpAddress?.ipAddress ?? []),
  ];
  return { instanceId: i.instanceId ?? '', name: i.instanceName ?? '', status: i.status ?? '', privateIps, tags };
}
