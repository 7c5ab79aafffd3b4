/**
 * The image this process runs from, so the peers can run the very same one: the reference the
 * wrapper script ran (ETCD_ROTATE_IMAGE), or the image of this container found through
 * /proc/self/mountinfo, resolved to its id through the host's docker socket (dockerode).
 */

import type Docker from 'dockerode';
import { readFile } from 'node:fs/promises';

import { PreflightError } from '../errors.js';
import { describeFailure } from '../host/failures.js';
import { hostPath } from '../host/paths.js';

/** An image known to the local docker. */
export interface OwnImage {
  /** The reference it was started by (a tag, repo@digest, or the id itself). */
  reference: string;
  /** The image id, `sha256:<config digest>`: the same on every host, after pull or load alike. */
  id: string;
  /** `repository@sha256:...` references the registries know it by; empty after a `docker load`. */
  repoDigests: string[];
}

/** Where to look. */
export interface FindOwnImageOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** Default: the docker socket under `root`. */
  docker?: Docker;
}

/** docker bind-mounts /etc/hostname and friends from /var/lib/docker/containers/<id>/. */
const CONTAINER_ID = /\/containers\/([0-9a-f]{64})\//;

/**
 * Finds this process's image, or undefined when it neither was told one (ETCD_ROTATE_IMAGE)
 * nor can find its container. Throws a PreflightError when docker does not know the image.
 */
export async function findOwnImage(options: FindOwnImageOptions): Promise<OwnImage | undefined> {
  const env = options.env ?? process.env;
  const docker = options.docker ?? (await dockerAt(hostPath(options.root, '/var/run/docker.sock')));

  let reference = env['ETCD_ROTATE_IMAGE'] || undefined;
  if (reference === undefined) {
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
    const containerId = CONTAINER_ID.exec(mountinfo)?.[1];
    if (containerId === undefined) return undefined;
    const container = await ask(`inspect this container ${containerId}`, () => docker.getContainer(containerId).inspect());
    reference = container.Image;
  }

  const image = await ask(`inspect the image ${reference}`, () => docker.getImage(reference).inspect());
  return { reference, id: image.Id, repoDigests: image.RepoDigests ?? [] };
}

/** A dockerode client for `socketPath`, dockerode loaded on first use. */
export async function dockerAt(socketPath: string): Promise<Docker> {
  const { default: Docker } = await import('dockerode');
  return new Docker({ socketPath });
}

async function ask<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new PreflightError(`could not ${action} through docker: ${describeFailure(error).reason}`, {
      remedy: 'run etcd-rotate through the wrapper script (it sets ETCD_ROTATE_IMAGE), or pass --peer-command',
      cause: error,
    });
  }
}
