/**
 * Container mode over Cloud Assistant: no SSH channel exists to stream the image to a peer, so
 * the command Cloud Assistant runs makes sure the image is there first: present, else pulled
 * by repository digest (standard input kept for the agent's token) (the VPC registry is reachable from the masters of a region), else the
 * invocation ends with exit code 3 and a line saying how to load it; the coordinator reports
 * that line (the invocation's output) and stops before anything changed.
 */

import type { OwnImage } from './own-image.js';

/** Single-quotes `word` for a POSIX shell. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The shell lines that make sure docker on this host has `image`, or exit 3 saying why not. */
export function ensureImageScript(image: OwnImage): string {
  const id = quote(image.id);
  const pulls = image.repoDigests.map((reference) => `docker pull -q ${quote(reference)} </dev/null >&2`);
  const tried = image.repoDigests.length > 0 ? `could not pull it (${image.repoDigests.join(', ')})` : 'has no registry reference to pull it by';
  const fail =
    `{ echo "etcd-rotate: $(hostname) has no image ${image.id} and ${tried}; ` +
    `load it there (docker load) or pass --peer-command; nothing was changed" >&2; exit 3; }`;
  return [`docker image inspect ${id} </dev/null >/dev/null 2>&1`, ...pulls, fail].join(' || ');
}

/**
 * Wraps `peerCommand` (the `docker run` of the same image) so that it first makes sure the
 * image is on the peer. The arguments the transport appends still reach `peerCommand`.
 */
export function pullFirstCommand(image: OwnImage, peerCommand: string): string {
  return `sh -c ${quote(`${ensureImageScript(image)}; exec "$@"`)} etcd-rotate-pull ${peerCommand}`;
}
