import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

import Docker from 'dockerode';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { RunFailedError } from '../../src/errors.js';
import { createDockerRuntime, detectRuntime } from '../../src/host/index.js';
import { makeRoot, rejection, removeRoot } from './helpers.js';

interface FakeContainer {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
  Created: number;
  running: boolean;
  startedAt: string;
}

/**
 * A stand-in docker daemon at its HTTP API, on a unix socket: enough of /_ping,
 * /containers/json, /containers/{id}/json and /containers/{id}/restart for the runtime.
 * With `replace`, a restart removes the container and "kubelet" creates one with a new id.
 */
async function fakeDocker(socket: string, containers: FakeContainer[], replace = false) {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://docker');
    const pathname = url.pathname.replace(/^\/v[\d.]+/, '');
    requests.push(`${request.method} ${pathname}`);
    const send = (status: number, body?: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };

    if (pathname === '/_ping') return send(200, 'OK');
    if (pathname === '/containers/json') {
      const running = containers.filter((c) => c.running);
      return send(200, running.map(({ Id, Names, Labels, Created }) => ({ Id, Names, Labels, Created, State: 'running' })));
    }
    const match = /^\/containers\/([^/]+)\/(json|restart)$/.exec(pathname);
    const container = containers.find((c) => c.Id === match?.[1]);
    if (match === null || container === undefined) return send(404, { message: 'No such container' });
    if (match[2] === 'json') {
      return send(200, { Id: container.Id, State: { Running: container.running, StartedAt: container.startedAt } });
    }
    if (replace) {
      container.running = false;
      setTimeout(() => containers.push({ ...container, Id: `${container.Id}-new`, running: true, Created: container.Created + 1 }), 100);
    } else {
      container.startedAt = new Date(Date.parse(container.startedAt) + 60_000).toISOString();
    }
    return send(204);
  });
  await mkdir(path.dirname(socket), { recursive: true });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function staticPod(component: string, id: string): FakeContainer {
  return {
    Id: id,
    Names: [`/k8s_${component}_${component}-master-1_kube-system_0a1b_0`],
    Labels: { 'io.kubernetes.container.name': component, 'io.kubernetes.pod.namespace': 'kube-system' },
    Created: 1700000000,
    running: true,
    startedAt: '2024-01-01T00:00:00.000000000Z',
  };
}

/** Containers a master also runs, which must not be taken for the apiserver. */
function decoys(): FakeContainer[] {
  return [
    { ...staticPod('kube-apiserver', 'pod-infra'), Labels: { 'io.kubernetes.container.name': 'POD', 'io.kubernetes.pod.namespace': 'kube-system' } },
    { ...staticPod('kube-apiserver', 'other-ns'), Labels: { 'io.kubernetes.container.name': 'kube-apiserver', 'io.kubernetes.pod.namespace': 'tenant' } },
  ];
}

const docker = suite<{ root: string; socket: string }>('docker runtime');

docker.before.each(async (context) => {
  context.root = await makeRoot('etcd-rotate-docker-');
  context.socket = path.join(context.root, 'var/run/docker.sock');
});
docker.after.each(async (context) => {
  await removeRoot(context.root);
});

docker('detectRuntime picks docker when its socket under the root answers and it runs the static pods', async ({ root, socket }) => {
  const daemon = await fakeDocker(socket, [staticPod('kube-apiserver', 'apiserver1')]);
  try {
    const runtime = await detectRuntime({ root, crictlPath: '/nonexistent/crictl' });
    assert.is(runtime.kind, 'docker');
    assert.equal(daemon.requests, ['GET /_ping', 'GET /containers/json']);
  } finally {
    await daemon.close();
  }
});

docker('detectRuntime picks crictl when docker runs no static pod and crictl answers', async ({ root, socket }) => {
  const daemon = await fakeDocker(socket, decoys());
  const crictl = path.join(root, 'crictl');
  await writeFile(crictl, '#!/bin/sh\n[ "$1" = version ] && echo "RuntimeName: containerd"\n', { mode: 0o755 });
  try {
    assert.is((await detectRuntime({ root, crictlPath: crictl })).kind, 'crictl');
  } finally {
    await daemon.close();
  }
});

docker('detectRuntime keeps docker when it runs no static pod and crictl does not answer either', async ({ root, socket }) => {
  const daemon = await fakeDocker(socket, []);
  try {
    assert.is((await detectRuntime({ root, crictlPath: '/nonexistent/crictl' })).kind, 'docker');
  } finally {
    await daemon.close();
  }
});

docker('restartStaticPod restarts the container in place and waits until it runs again', async ({ socket }) => {
  const daemon = await fakeDocker(socket, [...decoys(), staticPod('kube-apiserver', 'apiserver1')]);
  try {
    const runtime = createDockerRuntime(new Docker({ socketPath: socket }), 'fake');

    const result = await runtime.restartStaticPod('kube-apiserver', { timeoutMs: 2000, pollMs: 20 });

    assert.equal([result.oldId, result.newId], ['apiserver1', 'apiserver1']);
    assert.ok(daemon.requests.includes('POST /containers/apiserver1/restart'));
    assert.not.ok(daemon.requests.some((r) => r.includes('pod-infra') || r.includes('other-ns')));
  } finally {
    await daemon.close();
  }
});

docker('restartStaticPod accepts the new container kubelet started instead', async ({ socket }) => {
  const daemon = await fakeDocker(socket, [staticPod('kube-scheduler', 'sched1')], true);
  try {
    const runtime = createDockerRuntime(new Docker({ socketPath: socket }), 'fake');

    const result = await runtime.restartStaticPod('kube-scheduler', { timeoutMs: 2000, pollMs: 20 });

    assert.equal([result.oldId, result.newId], ['sched1', 'sched1-new']);
  } finally {
    await daemon.close();
  }
});

docker('restartStaticPod says which runtime it asked when no container runs', async ({ socket }) => {
  const daemon = await fakeDocker(socket, decoys());
  try {
    const runtime = createDockerRuntime(new Docker({ socketPath: socket }), '/var/run/docker.sock');

    const error = await rejection(runtime.restartStaticPod('kube-apiserver', { timeoutMs: 200 }));

    assert.instance(error, RunFailedError);
    assert.match(error.message, 'docker at /var/run/docker.sock lists no running kube-apiserver container in kube-system');
    assert.match((error as RunFailedError).remedy ?? '', 'docker ps -a --filter name=k8s_kube-apiserver_');
  } finally {
    await daemon.close();
  }
});

docker.run();

// The real daemon: only where one answers and a small image with `sleep` is already present,
// since no registry is reachable from the test machines (the base image .ci/run builds is one).
// Under CI=true a missing daemon or image fails the suite instead of skipping it.
const real = new Docker({ socketPath: '/var/run/docker.sock', timeout: 2000 });
const image = await real
  .ping()
  .then(() => real.listImages())
  .then((images) => images.flatMap((i) => i.RepoTags ?? []).find((tag) => /^(busybox|alpine)(:|$)|^etcd-rotate-base:bookworm$/.test(tag)))
  .catch(() => undefined);
const live = suite('docker runtime against a real daemon');

if (image === undefined) {
  const why = 'no docker daemon answers on /var/run/docker.sock, or it has no busybox, alpine or etcd-rotate-base:bookworm image';
  if (process.env['CI'] === 'true') {
    live('restartStaticPod restarts a labelled container on a real daemon', () => assert.unreachable(`${why} (.ci/run builds the base image)`));
  } else {
    console.log(`  skipped: ${why}`);
    live.skip('restartStaticPod restarts a labelled container on a real daemon', () => undefined);
  }
} else {
  live('restartStaticPod restarts a labelled container on a real daemon', async () => {
    const container = await real.createContainer({
      Image: image,
      // As PID 1, sleep would ignore SIGTERM and every restart would wait out the grace period.
      Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'],
      name: `k8s_kube-scheduler_kube-scheduler-etcd-rotate-test_kube-system_${process.pid}_0`,
      Labels: { 'io.kubernetes.container.name': 'kube-scheduler', 'io.kubernetes.pod.namespace': 'kube-system' },
    });
    try {
      await container.start();
      // The tool's own client has no request timeout (a restart takes as long as the stop).
      const runtime = createDockerRuntime(new Docker({ socketPath: '/var/run/docker.sock' }), '/var/run/docker.sock');
      const result = await runtime.restartStaticPod('kube-scheduler', { timeoutMs: 60_000 });
      assert.is(result.newId, container.id);
    } finally {
      await container.remove({ force: true });
    }
  });
}

live.run();
