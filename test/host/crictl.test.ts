import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { PreflightError, RunFailedError } from '../../src/errors.js';
import { createCrictlRuntime, detectRuntime } from '../../src/host/index.js';
import { makeRoot, rejection, removeRoot, writeScript } from './helpers.js';

/**
 * A stand-in crictl at its command-line interface. The running container of each component is
 * the content of state/<name> (empty: none). `stop` empties it; when state/<name>.respawn
 * exists, "kubelet" starts a new container 0.2 s later. `ps` also lists a decoy whose name only
 * contains the component's, as crictl's regular-expression --name filter would.
 */
function fakeCrictl(state: string): string {
  return `#!/bin/bash
printf '%s\\t' "$@" >> '${state}/log'; echo >> '${state}/log'
if [ "$1" = --runtime-endpoint ]; then shift 2; fi
case "$1" in
  version) echo 'RuntimeName:  containerd' ;;
  ps)
    name="$3"
    id=$(cat "${state}/$name" 2>/dev/null)
    decoy='{"id":"decoy","metadata":{"name":"'"$name"'-helper"},"state":"CONTAINER_RUNNING","createdAt":"9","labels":{"io.kubernetes.pod.namespace":"kube-system"}}'
    if [ -n "$id" ]; then
      printf '{"containers":[%s,{"id":"%s","metadata":{"name":"%s","attempt":1},"state":"CONTAINER_RUNNING","createdAt":"%s","labels":{"io.kubernetes.pod.namespace":"kube-system","io.kubernetes.container.name":"%s"}}]}\\n' "$decoy" "$id" "$name" "$(date +%s%N)" "$name"
    else
      printf '{"containers":[%s]}\\n' "$decoy"
    fi ;;
  stop)
    id="\${@: -1}"
    for file in '${state}'/kube-*; do
      case "$file" in *.respawn) continue ;; esac
      if [ "$(cat "$file")" = "$id" ]; then
        : > "$file"
        if [ -e "$file.respawn" ]; then
          ( sleep 0.2; echo "new-$id" > "$file" ) > /dev/null 2>&1 &
        fi
        echo "$id"; exit 0
      fi
    done
    echo "container \\"$id\\" not found" >&2; exit 1 ;;
  *) echo "unknown command $1" >&2; exit 1 ;;
esac
`;
}

const crictl = suite<{ dir: string; state: string; program: string }>('crictl runtime');

crictl.before.each(async (context) => {
  context.dir = await makeRoot('etcd-rotate-crictl-');
  context.state = path.join(context.dir, 'state');
  await mkdir(context.state);
  context.program = await writeScript(path.join(context.dir, 'bin'), 'crictl', fakeCrictl(context.state));
});
crictl.after.each(async (context) => {
  await removeRoot(context.dir);
});

crictl('restartStaticPod stops the container and waits for a new one', async ({ state, program }) => {
  await writeFile(path.join(state, 'kube-apiserver'), 'abc123\n');
  await writeFile(path.join(state, 'kube-apiserver.respawn'), '');
  const runtime = createCrictlRuntime({ crictlPath: program, runtimeEndpoint: 'unix:///run/containerd/containerd.sock' });

  const result = await runtime.restartStaticPod('kube-apiserver', { timeoutMs: 5000, pollMs: 50 });

  assert.is(result.oldId, 'abc123');
  assert.is(result.newId, 'new-abc123');
  assert.ok(result.elapsedMs >= 150, `elapsed ${result.elapsedMs} ms`);
  const log = (await readFile(path.join(state, 'log'), 'utf8')).split('\n');
  assert.is(log[0], '--runtime-endpoint\tunix:///run/containerd/containerd.sock\tps\t--name\tkube-apiserver\t-o\tjson\t');
  assert.ok(log.includes('--runtime-endpoint\tunix:///run/containerd/containerd.sock\tstop\t--timeout\t30\tabc123\t'));
  assert.not.ok(log.some((line) => line.includes('decoy')));
});

crictl('restartStaticPod says which runtime it asked when no container runs', async ({ program }) => {
  const runtime = createCrictlRuntime({ crictlPath: program });

  const error = await rejection(runtime.restartStaticPod('kube-scheduler', { timeoutMs: 500 }));

  assert.instance(error, RunFailedError);
  assert.match(error.message, 'crictl');
  assert.match(error.message, 'no running kube-scheduler container in kube-system');
  assert.match((error as RunFailedError).remedy ?? '', '/etc/kubernetes/manifests/kube-scheduler.yaml');
});

crictl('restartStaticPod takes the container kubelet starts while none runs, without stopping it', async ({ state, program }) => {
  const runtime = createCrictlRuntime({ crictlPath: program });
  // kubelet is between two starts (back-off): nothing runs now, one runs 0.2 s later.
  setTimeout(() => void writeFile(path.join(state, 'kube-scheduler'), 'sched2\n'), 200);

  const result = await runtime.restartStaticPod('kube-scheduler', { timeoutMs: 5000, pollMs: 50 });

  assert.is(result.oldId, undefined);
  assert.is(result.newId, 'sched2');
  const log = await readFile(path.join(state, 'log'), 'utf8');
  assert.not.match(log, /\tstop\t/, 'a container started after the new files were written is not stopped');
});

crictl('restartStaticPod gives up when kubelet does not start the component again', async ({ state, program }) => {
  await writeFile(path.join(state, 'kube-controller-manager'), 'kcm1\n');
  const runtime = createCrictlRuntime({ crictlPath: program });

  const error = await rejection(
    runtime.restartStaticPod('kube-controller-manager', { timeoutMs: 300, pollMs: 50 }),
  );

  assert.instance(error, RunFailedError);
  assert.match(error.message, 'kube-controller-manager did not run again');
  assert.match(error.message, 'kcm1 was stopped (crictl)');
  assert.match((error as RunFailedError).remedy ?? '', 'journalctl -u kubelet');
});

crictl('detectRuntime picks crictl when docker does not answer', async ({ dir, program }) => {
  const runtime = await detectRuntime({ root: dir, crictlPath: program });

  assert.is(runtime.kind, 'crictl');
});

crictl('detectRuntime names both runtimes when neither answers', async ({ dir }) => {
  const error = await rejection(detectRuntime({ root: dir, crictlPath: path.join(dir, 'no-crictl') }));

  assert.instance(error, PreflightError);
  assert.match(error.message, `docker at /var/run/docker.sock (under ${dir}): no socket there`);
  assert.match(error.message, `crictl: ${path.join(dir, 'no-crictl')}: not found`);
});

crictl.run();
