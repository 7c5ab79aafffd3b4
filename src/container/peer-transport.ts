/**
 * Container mode's peers: when etcd-rotate runs from its image (and no --peer-command was
 * given), every peer runs the same image, with docker or, when the wrapper ran it with ctr,
 * with containerd (containerd-peers.ts). `containerPeers` finds the image and gives the peer
 * command to use, and a wrapper for the SSH transport that puts the image on each peer
 * (`ensurePeerImage`) before its agent starts.
 */

import { hostPath } from '../host/paths.js';
import type { SshOptions } from '../remote/ssh-options.js';
import type { PeerTransport, PeerTransportFactory } from '../remote/transport.js';
import { containerdPeers } from './containerd-peers.js';
import { dockerAt, findOwnImage, type OwnImage } from './own-image.js';
import { containerPeerCommand } from './peer-command.js';
import { ensurePeerImage } from './peer-image.js';
import { dockerEnsureImageScript } from './pull-first.js';
import { privilegeFlags } from './privilege.js';
import { imageRuntimeOf } from './runtime-env.js';

/** How the peers run the coordinator's image. */
export interface ContainerPeers {
  /** The image the peers run. */
  image: OwnImage;
  /** `sh -c '... docker run ... <image id> "$@"'` (or `ctr run`), for the transport's peer command. */
  peerCommand: string;
  /** Shell lines that make sure a peer has the image or exit 3 saying why (see pull-first.ts). */
  ensureImageScript: string;
  /** The SSH transport, with the image put on each peer before its agent starts. */
  withImage(inner: PeerTransportFactory): PeerTransportFactory;
}

/**
 * Resolves how peers run this image, or undefined when this process does not run from a
 * container image it can find (then peers run `etcd-rotate` as outside a container).
 */
export async function containerPeers(options: {
  root: string;
  ssh: SshOptions;
  env?: NodeJS.ProcessEnv;
}): Promise<ContainerPeers | undefined> {
  const env = options.env ?? process.env;
  if (imageRuntimeOf(env) === 'containerd') return containerdPeers({ ssh: options.ssh, env });
  const docker = await dockerAt(hostPath(options.root, '/var/run/docker.sock'));
  const image = await findOwnImage({ root: options.root, env, docker });
  if (image === undefined) return undefined;

  return {
    image,
    peerCommand: containerPeerCommand(image.id, privilegeFlags(env)),
    ensureImageScript: dockerEnsureImageScript(image),
    withImage: (inner) => async (context) => {
      const transport = await inner(context);
      // Everything else of the inner transport stays as it is (remedies, finishOpening...).
      const wrapped: PeerTransport = Object.create(transport);
      wrapped.open = async (peer) => {
        const log = (line: string) => context.onPeerLog(peer.name, line);
        await ensurePeerImage({ name: peer.name, address: peer.ip }, image, options.ssh, docker, log);
        return transport.open(peer);
      };
      return wrapped;
    },
  };
}
