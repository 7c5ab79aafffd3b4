import { openSshSession } from './ssh-session.js';
import type { SshOptions } from './ssh-options.js';
import type { PeerTransportFactory } from './transport.js';

/** Options of the SSH transport (`--transport ssh`, the default). */
export interface SshTransportOptions {
  peerCommand: string;
  remoteRoot: string;
  ssh: SshOptions;
}

/** Opens each peer's agent as `ssh ... <peer-command> agent`, one connection per master. */
export function sshTransport(options: SshTransportOptions): PeerTransportFactory {
  return async (context) => ({
    remedyFor: () =>
      'set up root SSH with keys and known_hosts between the masters (ssh -o BatchMode=yes must work), or pass --ssh-identity/--ssh-port/--ssh-user, or use --transport cloud-assistant',
    open: (peer) =>
      openSshSession({
        host: peer.name,
        address: peer.ip,
        peerCommand: options.peerCommand,
        remoteRoot: options.remoteRoot,
        ssh: options.ssh,
        onLog: (line) => context.onPeerLog(peer.name, line),
      }),
    finishOpening: async () => undefined,
  });
}
