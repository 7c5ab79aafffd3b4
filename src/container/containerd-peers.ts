/**
 * Container mode's peers on containerd masters: the coordinator's image is found in the host's
 * containerd, the peers run it with `ctr run` by the same name, and the SSH transport puts it on
 * each peer (`ensureContainerdPeerImage`) before its agent starts. Every master is assumed to
 * have containerd's socket where this one has it.
 */

import type { SshOptions } from '../remote/ssh-options.js';
import type { PeerTransport } from '../remote/transport.js';
import { findContainerdImage } from './containerd-image.js';
import { containerdPeerCommand } from './containerd-peer-command.js';
import { ensureContainerdPeerImage } from './containerd-peer-image.js';
import type { ContainerPeers } from './peer-transport.js';
import { ctrPrivilegeFlags } from './privilege.js';
import { containerdEnsureImageScript } from './pull-first.js';
import { containerdAddress, ctrPullFlags, hostCtrArgv } from './runtime-env.js';

/** Resolves how peers run this image, or undefined when the wrapper did not name it. */
export async function containerdPeers(options: { ssh: SshOptions; env: NodeJS.ProcessEnv }): Promise<ContainerPeers | undefined> {
  const { env, ssh } = options;
  const image = await findContainerdImage(env);
  if (image === undefined) return undefined;

  const address = containerdAddress(env);
  const imageOptions = { hostCtr: hostCtrArgv(env), peerAddress: address, pullFlags: ctrPullFlags(env) };
  return {
    // What pins the content in containerd is the digest; it stands in for docker's image id.
    image: { reference: image.reference, id: image.digest, repoDigests: image.repoDigests },
    peerCommand: containerdPeerCommand(image.reference, ctrPrivilegeFlags(env), address),
    ensureImageScript: containerdEnsureImageScript(image, address, imageOptions.pullFlags),
    withImage: (inner) => async (context) => {
      const transport = await inner(context);
      const wrapped: PeerTransport = Object.create(transport);
      wrapped.open = async (peer) => {
        const log = (line: string) => context.onPeerLog(peer.name, line);
        await ensureContainerdPeerImage({ name: peer.name, address: peer.ip }, image, ssh, imageOptions, log);
        return transport.open(peer);
      };
      return wrapped;
    },
  };
}
