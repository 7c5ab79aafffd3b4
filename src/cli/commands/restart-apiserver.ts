import { healthUrl, waitForHealthz } from '../../agent/pod-health.js';
import { ExitCode } from '../../errors.js';
import { detectContainer, detectRuntime } from '../../host/index.js';
import { integerFlag, stringFlag } from '../args.js';
import { ROOT_HELP, type Command } from '../command.js';

const DEFAULT_TIMEOUT_SECONDS = 120;

/** Restarts this master's kube-apiserver static pod, as restart-apiserver.sh does. */
export const restartApiserverCommand: Command = {
  name: 'restart-apiserver',
  summary: "restart this master's kube-apiserver static pod and wait for /healthz",
  help: `Usage: etcd-rotate restart-apiserver [--timeout SECONDS] [--root DIR]

Restarts the kube-apiserver container of this master through its container
runtime (docker, or crictl on containerd masters), waits until a container of
it runs again and, when its manifest names a secure port, until /healthz
answers ok. Changes no file.

  --timeout SECONDS   how long to wait for it (default ${DEFAULT_TIMEOUT_SECONDS})
${ROOT_HELP}`,
  flags: { strings: ['root', 'timeout'], defaults: { root: '/' } },

  async run(args, io) {
    const root = stringFlag(args, 'root') ?? '/';
    const timeoutMs = (integerFlag(args, 'timeout', { min: 1, max: 3600 }) ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const started = Date.now();

    const runtime = await detectRuntime({ root, containerized: await detectContainer() });
    const restarted = await runtime.restartStaticPod('kube-apiserver', { timeoutMs });
    const url = await healthUrl(root, 'kube-apiserver');
    if (url) await waitForHealthz('kube-apiserver', url, Math.max(1_000, timeoutMs - (Date.now() - started)));

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const healthy = url ? `, ${url} ok` : '';
    io.stdout.write(
      `kube-apiserver restarted through ${runtime.kind}: container ${restarted.oldId?.slice(0, 12) ?? '(none running)'} -> ${restarted.newId.slice(0, 12)} in ${seconds} s${healthy}\n`,
    );
    return ExitCode.ok;
  },
};
