/**
 * Puts the coordinator's image on a peer before its agent starts there: nothing when the peer
 * has it, else `docker pull` by repository digest, else the image itself streamed over SSH
 * (dockerode's `docker save` into `ssh peer docker load`), for peers that reach no registry.
 */

import type Docker from 'dockerode';
import { execa } from 'execa';
import { pipeline } from 'node:stream/promises';

import { PreflightError } from '../errors.js';
import { buildSshArgv, type SshOptions } from '../remote/ssh-options.js';
import type { OwnImage } from './own-image.js';

/** How the image got onto the peer. */
export type PeerImageOutcome = 'present' | 'pulled' | 'streamed';

/** A peer to prepare. */
export interface PeerImageTarget {
  name: string;
  address: string;
}

/** Makes sure `peer` has `image`; resolves to how, or throws a PreflightError saying why not. */
export async function ensurePeerImage(
  peer: PeerImageTarget,
  image: OwnImage,
  ssh: SshOptions,
  docker: Docker,
  log: (line: string) => void,
): Promise<PeerImageOutcome> {
  const run = (command: string) =>
    execa('ssh', buildSshArgv(peer.address, command, ssh), { reject: false, stdin: 'ignore' });

  if ((await run(`docker image inspect --format '{{.Id}}' ${image.id}`)).exitCode === 0) return 'present';

  for (const reference of image.repoDigests) {
    log(`pulling ${reference}`);
    if ((await run(`docker pull ${reference}`)).exitCode === 0) return 'pulled';
  }

  log(`streaming image ${image.id} over SSH (docker save | docker load)`);
  const archive = await docker.getImage(image.id).get();
  const load = execa('ssh', buildSshArgv(peer.address, 'docker load', ssh), { reject: false, stdin: 'pipe' });
  // The archive goes through ssh's stdin; a failed load ends the pipe early, which load reports.
  const piped = pipeline(archive, load.stdin!).catch((error: Error) => error);
  const [loaded] = await Promise.all([load, piped]);
  const check = await run(`docker image inspect --format '{{.Id}}' ${image.id}`);
  if (loaded.exitCode !== 0 || check.exitCode !== 0) {
    const said = `${loaded.stderr}`.trim().split('\n').pop() || `exit code ${loaded.exitCode}`;
    throw new PreflightError(
      `could not put the etcd-rotate image ${image.id} on ${peer.name} (${peer.address}): docker load said: ${said}`,
      { remedy: `check that docker runs on ${peer.name} and has room for the image, or load it there by hand` },
    );
  }
  return 'streamed';
}
