import { hostname } from 'node:os';
import {
  acquireRunLock,
  appendJournal,
  appendRunLog,
  copyDataDirectory,
  createBackup,
  createServiceManager,
  detectRuntime,
  isStaticPodComponent,
  readJournal,
  readRunFile,
  removeRunFile,
  releaseRunLock,
  restoreBackup,
  writeFileAtomic,
  writeRunFile,
} from '../host/index.js';
import { discoverTopology } from '../cluster/index.js';
import { UsageError } from '../errors.js';
import { writeKubeconfigCredentials } from './kubeconfig-edit.js';
import { inspectMaster } from './inspect.js';
import { healthUrl, waitForHealthz } from './pod-health.js';
import type { AgentMethods, MethodName, ParamsOf, ResultOf } from './protocol.js';

export const AGENT_VERSION = '0.1.0';

/** Where the agent runs: the host root and whether that is a container's view of the host. */
export interface AgentHost {
  root: string;
  containerized: boolean;
}

type Handlers = { [M in MethodName]: (host: AgentHost, params: ParamsOf<M>) => Promise<ResultOf<M>> };

/** The agent's methods: each one small, each one safe to run again. */
export const HANDLERS: Handlers = {
  async hello() {
    return { version: AGENT_VERSION, hostname: hostname(), pid: process.pid };
  },

  inspect: ({ root, containerized }) => inspectMaster(root, containerized),

  async lock({ root }, { runId, command, host }) {
    await acquireRunLock(root, { runId, host, pid: process.pid, command });
    return { acquired: true };
  },

  async unlock({ root }, { runId }) {
    return { released: await releaseRunLock(root, runId) };
  },

  async backup({ root }, { runId, paths }) {
    const result = await createBackup(root, runId, paths);
    return { files: result.manifest.files.length, created: result.created };
  },

  async backupData({ root }, { runId }) {
    const { etcd } = await discoverTopology({ root });
    return copyDataDirectory(root, runId, etcd.dataDir);
  },

  async restore({ root }, { runId }) {
    const result = await restoreBackup(root, runId);
    return { files: result.restored.length };
  },

  async write({ root }, { files, kubeconfigs }) {
    const written: string[] = [];
    for (const file of files) {
      await writeFileAtomic(root, file.path, Buffer.from(file.contentBase64, 'base64'), { mode: file.mode });
      written.push(file.path);
    }
    for (const change of kubeconfigs ?? []) {
      await writeKubeconfigCredentials(root, change);
      written.push(change.path);
    }
    return { written };
  },

  async saveRunState({ root }, { runId, name, contentBase64 }) {
    await writeRunFile(root, runId, name, Buffer.from(contentBase64, 'base64'));
    return { saved: true };
  },

  async removeRunState({ root }, { runId, name }) {
    return { removed: await removeRunFile(root, runId, name) };
  },

  async loadRunState({ root }, { runId, name }) {
    const content = await readRunFile(root, runId, name);
    return content === undefined ? {} : { contentBase64: content.toString('base64') };
  },

  async journal({ root }, { runId, event }) {
    await appendJournal(root, runId, { kind: String(event.kind ?? 'event'), ...event });
    if (typeof event.line === 'string') await appendRunLog(root, runId, event.line);
    return { appended: true };
  },

  async progress({ root }, { runId }) {
    const journal = await readJournal(root, runId);
    const steps = journal.events.filter((e) => e.kind === 'step-done').map((e) => String(e.key));
    return { steps };
  },

  async service({ containerized }, { action, unit }) {
    const services = createServiceManager({ containerized });
    const started = Date.now();
    if (action !== 'is-active') await services[action](unit);
    const state = await services.activeState(unit);
    return { active: state === 'active', state, elapsedMs: Date.now() - started };
  },

  async restartStaticPods({ root, containerized }, { components, timeoutMs }) {
    const unknown = components.filter((c) => !isStaticPodComponent(c));
    if (unknown.length > 0) {
      throw new UsageError(`${unknown.join(', ')} is not a control-plane static pod this tool restarts`);
    }
    const runtime = await detectRuntime({ root, containerized });
    return Promise.all(
      components.filter(isStaticPodComponent).map(async (component) => {
        const started = Date.now();
        const restarted = await runtime.restartStaticPod(component, { timeoutMs });
        const url = await healthUrl(root, component);
        if (url) await waitForHealthz(component, url, Math.max(1_000, timeoutMs - (Date.now() - started)));
        return { component, newId: restarted.newId, elapsedMs: Date.now() - started };
      }),
    );
  },
};

/** Runs one method by name. */
export function dispatch<M extends MethodName>(host: AgentHost, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const handler = HANDLERS[method] as (host: AgentHost, params: ParamsOf<M>) => Promise<ResultOf<M>>;
  return handler(host, params);
}

/** True for a method name the agent serves. */
export function isMethod(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(HANDLERS, name);
}

export type { AgentMethods };
