/**
 * Container mode over Cloud Assistant: no SSH channel exists to stream the image to a peer, so
 * the command Cloud Assistant runs makes sure the image is there first: present, else pulled
 * by repository digest (the VPC registry is reachable from the masters of a region), else the
 * invocation ends with exit code 3 and a line saying how to load it; the coordinator reports
 * that line (the invocation's output) and stops before anything changed. Every command keeps
 * its hands off standard input, which carries the agent's token.
 */

import { shellQuote } from '../remote/shell-quote.js';
import { presentFilter, type ContainerdImage } from './containerd-image.js';
import type { OwnImage } from './own-image.js';
import { ctrWords } from './runtime-env.js';

/** The shell lines that make sure docker on this host has `image`, or exit 3 saying why not. */
export function dockerEnsureImageScript(image: OwnImage): string {
  const id = shellQuote(image.id);
  const pulls = image.repoDigests.map((reference) => `docker pull -q ${shellQuote(reference)} </dev/null >&2`);
  return [`docker image inspect ${id} </dev/null >/dev/null 2>&1`, ...pulls, missing(image.id, image.repoDigests, 'docker load')].join(' || ');
}

/**
 * The same with containerd (`address` its socket on the peer): the name must point at the
 * coordinator's digest, or a pull by digest is tagged with that name (`ctr run` takes names).
 */
export function containerdEnsureImageScript(image: ContainerdImage, address: string, pullFlags: readonly string[]): string {
  const ctr = ctrWords(address).map(shellQuote).join(' ');
  const filter = shellQuote(presentFilter(image));
  const present = `[ -n "$(${ctr} images ls -q ${filter} </dev/null 2>/dev/null)" ]`;
  const flags = pullFlags.map((flag) => ` ${shellQuote(flag)}`).join('');
  const pulls = image.repoDigests.map((reference) => {
    const tag = reference === image.reference ? '' : ` && ${ctr} images tag --force ${shellQuote(reference)} ${shellQuote(image.reference)} </dev/null >/dev/null`;
    return `{ ${ctr} images pull${flags} ${shellQuote(reference)} </dev/null >&2${tag} && ${present}; }`;
  });
  return [present, ...pulls, missing(image.digest, image.repoDigests, 'ctr -n k8s.io images import')].join(' || ');
}

function missing(what: string, repoDigests: readonly string[], load: string): string {
  const tried = repoDigests.length > 0 ? `could not pull it (${repoDigests.join(', ')})` : 'has no registry reference to pull it by';
  return `{ echo "etcd-rotate: $(hostname) has no image ${what} and ${tried}; ` +
    `load it there (${load}) or pass --peer-command; nothing was changed" >&2; exit 3; }`;
}

/**
 * Wraps `peerCommand` (the `docker run` or `ctr run` of the same image) so that `ensureImage`
 * (one of the scripts above) runs first. The arguments the transport appends still reach it.
 */
export function pullFirstCommand(ensureImage: string, peerCommand: string): string {
  return `sh -c ${shellQuote(`${ensureImage}; exec "$@"`)} etcd-rotate-pull ${peerCommand}`;
}
