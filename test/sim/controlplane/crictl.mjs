#!/usr/bin/env node
/**
 * crictl stand-in over the kubelet stand-in's container records (see kubelet.mjs for what it
 * does and does not do). State dir: $CRICTL_STATE_DIR, else /run/sim/kubelet.
 * Subcommands: version, ps, stop, inspect, logs, rm. Flags go before the container ids, as in crictl.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_STATE_DIR, isRunning, listRecords, markExited, removeRecord, resolveContainer,
} from './lib/containers.mjs';
import { signalProcess, waitForExit } from './lib/proc.mjs';

const stateDir = process.env.CRICTL_STATE_DIR || DEFAULT_STATE_DIR;

/** Each command's flags: name -> { alias, bool, list }. */
const COMMANDS = {
  version: { run: printVersion, flags: {} },
  ps: {
    run: listContainers,
    flags: {
      all: { alias: 'a', bool: true }, name: {}, state: { alias: 's' },
      quiet: { alias: 'q', bool: true }, output: { alias: 'o' }, pod: { alias: 'p' },
      label: { list: true }, latest: { alias: 'l', bool: true }, last: { alias: 'n' },
      'no-trunc': { bool: true }, id: {}, image: {}, verbose: { alias: 'v', bool: true },
    },
  },
  stop: { run: stopContainers, flags: { timeout: { alias: 't' } } },
  inspect: {
    run: inspectContainers,
    flags: { output: { alias: 'o' }, quiet: { alias: 'q', bool: true } },
  },
  logs: { run: printLogs, flags: { tail: {}, timestamps: { alias: 't', bool: true } } },
  rm: {
    run: removeContainers,
    flags: { force: { alias: 'f', bool: true }, all: { alias: 'a', bool: true } },
  },
};

/** Global flags crictl accepts before the command; their values are ignored here. */
const GLOBAL_WITH_VALUE = new Set([
  '-r', '--runtime-endpoint', '-i', '--image-endpoint', '-t', '--timeout', '-c', '--config',
]);

/** What `crictl version` prints against containerd; tools call it to see whether crictl answers. */
function printVersion() {
  process.stdout.write(
    'Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  v1.6.20-sim\nRuntimeApiVersion:  v1\n',
  );
}

const STATES = { running: 'CONTAINER_RUNNING', exited: 'CONTAINER_EXITED' };

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  fatal(error.message);
}

async function main(argv) {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    const word = argv[i];
    if (word === '--version' || word === '-v') {
      process.stdout.write('crictl version v1.26.0 (stand-in)\n');
      return 0;
    }
    i += GLOBAL_WITH_VALUE.has(word) ? 2 : 1;
  }
  const name = argv[i];
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`crictl stand-in: command "${name ?? ''}" is not simulated ` +
      `(supported: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 1;
  }
  const { options, args } = parseCommandFlags(command.flags, argv.slice(i + 1));
  return command.run(options, args);
}

/** urfave/cli parsing: flags first (`-aq` combines booleans), then positional arguments. */
function parseCommandFlags(spec, argv) {
  const byAlias = new Map();
  for (const [name, s] of Object.entries(spec)) {
    byAlias.set(name, name);
    if (s.alias) byAlias.set(s.alias, name);
  }
  const options = {};
  let i = 0;
  for (; i < argv.length; i += 1) {
    const word = argv[i];
    if (word === '--') { i += 1; break; }
    if (!word.startsWith('-') || word === '-') break;
    const long = word.startsWith('--');
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    // `-aq` is two booleans; `--name`, `-n=3` and a known alias are one flag.
    const single = long || eq >= 0 || byAlias.has(body);
    const keys = single ? [eq >= 0 ? body.slice(0, eq) : body] : [...body];
    for (const [k, key] of keys.entries()) {
      const name = byAlias.get(key);
      if (name === undefined) throw new Error(`flag provided but not defined: -${key}`);
      let value;
      if (spec[name].bool) value = eq >= 0 ? body.slice(eq + 1) !== 'false' : true;
      else if (eq >= 0) value = body.slice(eq + 1);
      else if (k === keys.length - 1 && i + 1 < argv.length) value = argv[(i += 1)];
      else throw new Error(`flag needs an argument: -${key}`);
      options[name] = spec[name].list ? [...(options[name] ?? []), value] : value;
    }
  }
  return { options, args: argv.slice(i) };
}

async function listContainers(o) {
  let records = listRecords(stateDir).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (o.state !== undefined) {
    const wanted = STATES[o.state.toLowerCase()];
    if (wanted === undefined && !['created', 'unknown'].includes(o.state.toLowerCase())) {
      throw new Error('--state should be one of created, running, exited or unknown');
    }
    records = records.filter((r) => criState(r) === wanted);
  } else if (!o.all && !o.latest && o.last === undefined) {
    records = records.filter((r) => criState(r) === STATES.running);
  }
  if (o.id) records = records.filter((r) => r.id.startsWith(o.id));
  if (o.pod) records = records.filter((r) => r.podSandboxId.startsWith(o.pod));
  if (o.name) {
    const pattern = new RegExp(o.name);
    records = records.filter((r) => pattern.test(r.containerName));
  }
  if (o.image) records = records.filter((r) => r.image.includes(o.image));
  for (const label of o.label ?? []) {
    const [key, value] = label.split('=');
    records = records.filter((r) => labels(r)[key] === value);
  }
  if (o.latest) records = records.slice(0, 1);
  if (o.last !== undefined) records = records.slice(0, Number(o.last));

  if (o.quiet) {
    for (const r of records) process.stdout.write(`${r.id}\n`);
  } else if (o.output === 'json') {
    process.stdout.write(`${JSON.stringify({ containers: records.map(criContainer) }, null, 2)}\n`);
  } else if (o.output === undefined || o.output === 'table') {
    printTable(records, Boolean(o['no-trunc']));
  } else {
    throw new Error(`unsupported output format "${o.output}" (the stand-in does json and table)`);
  }
  return 0;
}

async function stopContainers(o, ids) {
  if (ids.length === 0) throw new Error('ID cannot be empty');
  const timeoutMs = Number(o.timeout ?? 0) * 1000;
  for (const id of ids) {
    const { record, error } = resolveContainer(stateDir, id);
    if (error) return runtimeError('StopContainer', `stopping the container "${id}"`, error, id);
    await stopRecord(record, timeoutMs);
    process.stdout.write(`${id}\n`);
  }
  return 0;
}

/** containerd's StopContainer: timeout 0 means SIGKILL at once, else SIGTERM first. */
async function stopRecord(record, timeoutMs) {
  if (!isRunning(record)) return;
  let killed = false;
  if (timeoutMs > 0) {
    signalProcess(record.pid, 'SIGTERM');
    if (!(await waitForExit(record.pid, record.pidStartTime, timeoutMs))) killed = true;
  } else {
    killed = true;
  }
  if (killed) {
    signalProcess(record.pid, 'SIGKILL');
    await waitForExit(record.pid, record.pidStartTime, 10_000);
  }
  // The kubelet, when it is the parent, overwrites this with the exact status.
  markExited(stateDir, record.id, killed ? 137 : undefined);
}

async function inspectContainers(o, ids) {
  if (ids.length === 0) throw new Error('ID cannot be empty');
  for (const id of ids) {
    const { record, error } = resolveContainer(stateDir, id);
    if (error) {
      const action = `getting the status of the container "${id}"`;
      return runtimeError('ContainerStatus', action, error, id);
    }
    process.stdout.write(`${JSON.stringify(inspectView(record), null, 2)}\n`);
  }
  return 0;
}

async function printLogs(o, ids) {
  if (ids.length !== 1) throw new Error('ID cannot be empty');
  const { record, error } = resolveContainer(stateDir, ids[0]);
  if (error) return runtimeError('ContainerStatus', 'rpc error', error, ids[0]);
  let text = readFileSync(record.logPath, 'utf8');
  if (o.tail !== undefined && Number(o.tail) >= 0) {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    text = lines.slice(-Number(o.tail) || lines.length).join('\n') + (lines.length ? '\n' : '');
    if (Number(o.tail) === 0) text = '';
  }
  process.stdout.write(text);
  return 0;
}

async function removeContainers(o, ids) {
  const targets = o.all ? listRecords(stateDir).map((r) => r.id) : ids;
  if (targets.length === 0 && !o.all) throw new Error('ID cannot be empty');
  for (const id of targets) {
    const { record, error } = resolveContainer(stateDir, id);
    if (error) return runtimeError('RemoveContainer', `removing container "${id}"`, error, id);
    if (isRunning(record)) {
      if (!o.force) {
        return runtimeError('RemoveContainer', `removing container "${id}"`,
          `rpc error: code = Unknown desc = failed to remove container "${record.id}": ` +
          'container is in CONTAINER_RUNNING state, use stop or rm -f', id);
      }
      await stopRecord(record, 0);
    }
    removeRecord(stateDir, record.id);
    process.stdout.write(`${id}\n`);
  }
  return 0;
}

function criState(record) {
  return record.state === 'running' && isRunning(record) ? STATES.running : STATES.exited;
}

function labels(record) {
  return {
    'io.kubernetes.container.name': record.containerName,
    'io.kubernetes.pod.name': record.podName,
    'io.kubernetes.pod.namespace': record.podNamespace,
    'io.kubernetes.pod.uid': record.podUid,
  };
}

/** A container as ListContainers returns it (protobuf JSON: int64 as a string). */
function criContainer(r) {
  return {
    id: r.id,
    podSandboxId: r.podSandboxId,
    metadata: { name: r.containerName, attempt: r.attempt },
    image: { image: r.image, annotations: {} },
    imageRef: r.image,
    state: criState(r),
    createdAt: `${BigInt(Date.parse(r.createdAt)) * 1_000_000n}`,
    labels: labels(r),
    annotations: { 'io.kubernetes.container.restartCount': String(r.attempt) },
  };
}

/** What `crictl inspect` prints: CRI ContainerStatus plus the runtime's `info`. */
function inspectView(r) {
  const state = criState(r);
  const exited = state === STATES.exited;
  return {
    status: {
      ...criContainer(r),
      state,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: exited ? r.finishedAt ?? new Date().toISOString() : '0001-01-01T00:00:00Z',
      exitCode: exited ? r.exitCode ?? 255 : 0,
      reason: exited ? r.reason || 'Unknown' : '',
      message: r.message ?? '',
      mounts: [],
      logPath: r.logPath,
    },
    info: {
      sandboxID: r.podSandboxId,
      pid: exited ? 0 : r.pid,
      runtimeSpec: { process: { args: r.command } },
    },
  };
}

function printTable(records, noTrunc) {
  const cut = (id) => (noTrunc ? id : id.slice(0, 13));
  const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD']];
  for (const r of records) {
    rows.push([
      cut(r.id), r.image, `${humanDuration(Date.now() - Date.parse(r.createdAt))} ago`,
      criState(r) === STATES.running ? 'Running' : 'Exited',
      r.containerName, String(r.attempt), cut(r.podSandboxId), r.podName,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(20, ...rows.map((row) => row[c].length + 3)));
  for (const row of rows) {
    process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c])).join('').trimEnd()}\n`);
  }
}

/** docker/go-units HumanDuration, which crictl uses for CREATED. */
function humanDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

/** crictl's two lines for a failed runtime call, and its exit code 1. */
function runtimeError(call, action, error, id) {
  process.stderr.write(`E${klogTime()} ${String(process.pid).padStart(7)} remote_runtime.go] ` +
    `"${call} from runtime service failed" err=${JSON.stringify(error)} containerID="${id}"\n`);
  fatal(`${action}: ${error}`);
  return 1;
}

function fatal(message) {
  const time = new Date().toISOString();
  process.stderr.write(`time="${time}" level=fatal msg=${JSON.stringify(message)}\n`);
  process.exit(1);
}

function klogTime() {
  const d = new Date();
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getMonth() + 1)}${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    `${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;
}
