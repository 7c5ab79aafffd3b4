/**
 * The ECS actions the stand-in serves, with the service's parameter names,
 * response shapes and error codes: DescribeInstances, RunCommand,
 * DescribeInvocationResults and StopInvocation.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRefusal } from './signature.js';

/** An instance the stand-in knows; `master` is the simulated master its commands run in. */
export interface StandinInstance {
  instanceId: string;
  name: string;
  privateIp: string;
  tags: Record<string, string>;
  master?: number;
}

/** One Cloud Assistant invocation on one instance. */
export interface Invocation {
  invokeId: string;
  instanceId: string;
  script: string;
  timeoutS: number;
  status: 'Pending' | 'Running' | 'Success' | 'Failed' | 'Stopped' | 'Timeout';
  exitCode?: number;
  output: string;
  startTime?: string;
  finishedTime?: string;
}

/** What the actions need from the server. */
export interface ActionContext {
  region: string;
  instances: StandinInstance[];
  invocations: Map<string, Invocation>;
  /** Instances whose Cloud Assistant client accepts nothing: invocations stay Pending. */
  stalled: Set<string>;
  run(instance: StandinInstance, invocation: Invocation): void;
}

export type ActionResult = { body: Record<string, unknown> } | ApiRefusal;

type Params = URLSearchParams;

/** Serves one action, or refuses it as the service would. */
export function serveAction(action: string, params: Params, ctx: ActionContext): ActionResult {
  const region = params.get('RegionId');
  if (!region) return { status: 400, code: 'MissingRegionId', message: 'RegionId is mandatory for this action.' };
  if (region !== ctx.region) return { status: 400, code: 'InvalidRegionId.NotFound', message: `The specified RegionId ${region} does not exist.` };
  switch (action) {
    case 'DescribeInstances':
      return describeInstances(params, ctx);
    case 'RunCommand':
      return runCommand(params, ctx);
    case 'DescribeInvocationResults':
      return describeInvocationResults(params, ctx);
    case 'StopInvocation':
      return stopInvocation(params, ctx);
    default:
      return { status: 404, code: 'InvalidAction.NotFound', message: 'Specified api is not found, please check your url and method.' };
  }
}

function describeInstances(params: Params, ctx: ActionContext): ActionResult {
  let found = ctx.instances;
  for (let n = 1; params.has(`Tag.${n}.Key`); n++) {
    const key = params.get(`Tag.${n}.Key`)!;
    const value = params.get(`Tag.${n}.Value`);
    found = found.filter((i) => key in i.tags && (value === null || i.tags[key] === value));
  }
  const ids = params.get('InstanceIds');
  if (ids) {
    let wanted: string[];
    try {
      wanted = JSON.parse(ids) as string[];
    } catch {
      return { status: 400, code: 'InvalidInstanceIds.Malformed', message: 'The specified parameter InstanceIds is not valid.' };
    }
    found = found.filter((i) => wanted.includes(i.instanceId));
  }
  const max = Number(params.get('MaxResults') ?? 10);
  const start = Number(params.get('NextToken') || 0);
  const page = found.slice(start, start + max);
  const next = start + max < found.length ? String(start + max) : '';
  return {
    body: {
      RequestId: randomUUID().toUpperCase(),
      TotalCount: found.length,
      NextToken: next,
      Instances: {
        Instance: page.map((i) => ({
          InstanceId: i.instanceId,
          InstanceName: i.name,
          HostName: i.name,
          Status: 'Running',
          RegionId: ctx.region,
          VpcAttributes: { PrivateIpAddress: { IpAddress: [i.privateIp] }, VpcId: 'vpc-standin' },
          Tags: { Tag: Object.entries(i.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
        })),
      },
    },
  };
}

function runCommand(params: Params, ctx: ActionContext): ActionResult {
  if (params.get('Type') !== 'RunShellScript') {
    return { status: 400, code: 'InvalidCommandType', message: 'The specified command type is not supported by this stand-in.' };
  }
  const content = params.get('CommandContent') ?? '';
  const script = params.get('ContentEncoding') === 'Base64' ? Buffer.from(content, 'base64').toString('utf8') : content;
  if (script === '') return { status: 400, code: 'MissingCommandContent', message: 'CommandContent is mandatory for this action.' };
  const ids = [...params.keys()].filter((k) => /^InstanceId\.\d+$/.test(k)).map((k) => params.get(k)!);
  if (ids.length === 0) return { status: 400, code: 'MissingInstanceId', message: 'InstanceId is mandatory for this action.' };
  const instances = ids.map((id) => ctx.instances.find((i) => i.instanceId === id));
  if (instances.some((i) => i === undefined)) {
    return { status: 404, code: 'InvalidInstance.NotFound', message: 'The specified instance does not exist.' };
  }

  const invokeId = `t-standin${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  for (const instance of instances as StandinInstance[]) {
    const invocation: Invocation = {
      invokeId,
      instanceId: instance.instanceId,
      script,
      timeoutS: Number(params.get('Timeout') ?? 60),
      status: 'Pending',
      output: '',
    };
    ctx.invocations.set(key(invokeId, instance.instanceId), invocation);
    if (!ctx.stalled.has(instance.instanceId)) ctx.run(instance, invocation);
  }
  return { body: { RequestId: randomUUID().toUpperCase(), CommandId: `c-standin${invokeId.slice(9)}`, InvokeId: invokeId } };
}

function describeInvocationResults(params: Params, ctx: ActionContext): ActionResult {
  const invokeId = params.get('InvokeId');
  const instanceId = params.get('InstanceId');
  const results = [...ctx.invocations.values()].filter(
    (i) => (!invokeId || i.invokeId === invokeId) && (!instanceId || i.instanceId === instanceId),
  );
  const base64 = params.get('ContentEncoding') === 'Base64';
  return {
    body: {
      RequestId: randomUUID().toUpperCase(),
      Invocation: {
        PageSize: 10,
        PageNumber: 1,
        TotalCount: results.length,
        InvocationResults: {
          InvocationResult: results.map((i) => ({
            InvokeId: i.invokeId,
            InstanceId: i.instanceId,
            InvocationStatus: i.status,
            InvokeRecordStatus: ['Pending', 'Running'].includes(i.status) ? 'Running' : 'Finished',
            ExitCode: i.exitCode,
            Output: base64 ? Buffer.from(i.output).toString('base64') : i.output,
            StartTime: i.startTime,
            FinishedTime: i.finishedTime,
            ErrorCode: i.status === 'Timeout' ? 'InvocationTimeout' : '',
            ErrorInfo: i.status === 'Timeout' ? 'the command exceeded its Timeout' : '',
            Dropped: 0,
            Repeats: 1,
          })),
        },
      },
    },
  };
}

function stopInvocation(params: Params, ctx: ActionContext): ActionResult {
  const invokeId = params.get('InvokeId') ?? '';
  const ids = [...params.keys()].filter((k) => /^InstanceId\.\d+$/.test(k)).map((k) => params.get(k)!);
  const targets = [...ctx.invocations.values()].filter((i) => i.invokeId === invokeId && (ids.length === 0 || ids.includes(i.instanceId)));
  if (targets.length === 0) return { status: 404, code: 'InvalidInvokeId.NotFound', message: 'The specified invoke id does not exist.' };
  for (const i of targets) {
    if (['Pending', 'Running'].includes(i.status)) {
      i.status = 'Stopped';
      i.finishedTime = new Date().toISOString();
    }
  }
  return { body: { RequestId: randomUUID().toUpperCase() } };
}

export function key(invokeId: string, instanceId: string): string {
  return `${invokeId}/${instanceId}`;
}
