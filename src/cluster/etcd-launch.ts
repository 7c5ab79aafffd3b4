/**
 * Where the local etcd member comes from: a systemd unit (ACK dedicated masters) or, when the
 * host has no etcd unit, a kubeadm static pod.
 */

import path from 'node:path';

import { InputError } from '../errors.js';
import { hostPath } from './host-path.js';
import { assertRunsEtcdDirectly, type EtcdLaunch } from './launch.js';
import { MANIFEST_DIRECTORY, readStaticPodContainer } from './static-pod.js';
import { UNIT_DIRECTORIES } from './unit-files.js';
import { ETCD_UNIT_NAME, readEtcdUnit } from './unit.js';

/** The kubeadm static pod manifest of etcd. */
export const ETCD_MANIFEST_PATH = path.posix.join(MANIFEST_DIRECTORY, 'etcd.yaml');

/**
 * Reads how the local etcd member is started under `root`: the systemd unit when there is one
 * (it takes precedence), else the static pod manifest. Throws InputError when neither exists,
 * listing where it looked.
 */
export async function readEtcdLaunch(root: string): Promise<EtcdLaunch> {
  const launch = (await readEtcdUnit(root)) ?? (await readEtcdStaticPod(root));
  if (launch === undefined) throw notFound(root);

  assertRunsEtcdDirectly(launch);
  return launch;
}

/**
 * Reads the etcd static pod, or `undefined` when there is no manifest. The paths inside the
 * pod are the host's: kubeadm mounts them at the same place in the container.
 */
export async function readEtcdStaticPod(root: string): Promise<EtcdLaunch | undefined> {
  const container = await readStaticPodContainer(root, ETCD_MANIFEST_PATH, 'etcd');
  if (container === undefined) return undefined;

  // Without `command` the image's entrypoint runs and the pod lists only flags.
  const [first, ...rest] = container.argv;
  const hasProgram = first !== undefined && !first.startsWith('-');
  const launch: EtcdLaunch = {
    source: { kind: 'static-pod', manifestPath: ETCD_MANIFEST_PATH },
    description: `etcd manifest ${hostPath(root, ETCD_MANIFEST_PATH)}`,
    args: hasProgram ? rest : container.argv,
    env: container.env,
  };
  if (hasProgram) launch.program = first;
  if (container.workingDir !== undefined) launch.workingDirectory = container.workingDir;
  return launch;
}

function notFound(root: string): InputError {
  const places = [
    ...UNIT_DIRECTORIES.map((directory) => path.posix.join(directory, ETCD_UNIT_NAME)),
    ETCD_MANIFEST_PATH,
  ].map((place) => hostPath(root, place));

  return new InputError(
    `no etcd found under root ${root}: looked for ${places.join(', ')}`,
    {
      remedy:
        'run etcd-rotate on a master, or pass --root=<directory where the master\'s filesystem is mounted>',
    },
  );
}
