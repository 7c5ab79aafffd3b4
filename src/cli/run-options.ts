import { createInterface } from 'node:readline/promises';
import { containerPeers } from '../container/peer-transport.js';
import { pullFirstCommand } from '../container/pull-first.js';
import { detectContainer } from '../host/index.js';
import { DEFAULT_VALIDITY, parseValidity } from '../pki/index.js';
import { checkSshOptions, DEFAULT_SSH_OPTIONS } from '../remote/ssh-options.js';
import { createEtcdAccess } from '../rotation/etcd-access.js';
import { formatEvent, formatEventForTerminal } from '../rotation/events.js';
import type { RunOptions } from '../rotation/coordinator.js';
import { booleanFlag, integerFlag, listFlag, stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import type { CommandIo } from './command.js';
import { TRANSPORT_FLAGS, TRANSPORT_FLAGS_HELP, transportFromFlags } from './transport-options.js';

/** Flags shared by the commands that change the cluster. */
export const RUN_FLAGS: FlagSpec = {
  strings: ['root', 'validity', 'peer-command', 'ssh-user', 'ssh-identity', 'ssh-port', ...TRANSPORT_FLAGS],
  booleans: ['yes', 'dry-run', 'skip-kubernetes'],
  repeatable: ['ssh-option'],
  defaults: { root: '/' },
};

export const RUN_FLAGS_HELP = `  --yes               do not ask for confirmation
  --dry-run           print the plan and exit 0; changes nothing
  --validity D        validity of the new certificates: 50y (default), 3650d, 438000h
  --skip-kubernetes   leave /etc/kubernetes/pki and the kubeconfigs alone
  --peer-command CMD  how to start etcd-rotate on a peer (default: etcd-rotate)
${TRANSPORT_FLAGS_HELP}
  --ssh-user USER     SSH user on the peers (default root)
  --ssh-identity FILE private key for SSH (default: ssh's own)
  --ssh-port N        SSH port of the peers (default 22)
  --ssh-option O=V    extra ssh -o option, repeatable (e.g. StrictHostKeyChecking=accept-new)
  --root DIR          resolve host paths under DIR (default /; a container mounts the host there)`;

/**
 * Turns the shared flags into run options. Signals set a flag the run checks
 * between steps: a second signal ends the process at once.
 */
export async function runOptions(args: ParsedArgs, io: CommandIo, command: string): Promise<RunOptions> {
  const validity = stringFlag(args, 'validity') ?? DEFAULT_VALIDITY;
  const validityMs = parseValidity(validity);
  const ssh = { ...DEFAULT_SSH_OPTIONS, user: stringFlag(args, 'ssh-user') ?? 'root', options: listFlag(args, 'ssh-option') };
  const port = integerFlag(args, 'ssh-port', { min: 1, max: 65535 });
  if (port !== undefined) ssh.port = port;
  const identity = stringFlag(args, 'ssh-identity');
  if (identity) ssh.identity = identity;
  checkSshOptions(ssh);

  const started = Date.now();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    io.stderr.write('etcd-rotate: interrupt received; stopping after the current step (again to stop at once)\n');
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  const root = stringFlag(args, 'root') ?? '/';
  const containerized = await detectContainer();
  // In a container (the wrapper scripts), the peers run the same image unless told otherwise:
  // over SSH it is put on each peer first; over Cloud Assistant the peer pulls it itself.
  const explicitPeerCommand = stringFlag(args, 'peer-command');
  const overSsh = (stringFlag(args, 'transport') ?? 'ssh') === 'ssh';
  const sameImage = containerized && explicitPeerCommand === undefined ? await containerPeers({ root, ssh }) : undefined;
  const imagePeerCommand =
    sameImage && (overSsh ? sameImage.peerCommand : pullFirstCommand(sameImage.ensureImageScript, sameImage.peerCommand));
  const transport = transportFromFlags(args, {
    peerCommand: explicitPeerCommand ?? imagePeerCommand ?? 'etcd-rotate',
    root,
    ssh,
    log: (line) => io.stderr.write(`[cloud] ${line}\n`),
  });
  return {
    root,
    containerized,
    transport: sameImage && overSsh ? sameImage.withImage(transport) : transport,
    onPeerLog: (host, line) => io.stderr.write(`[${host}] ${line}\n`),
    validity,
    validityMs,
    yes: booleanFlag(args, 'yes'),
    dryRun: booleanFlag(args, 'dry-run'),
    forceExpired: booleanFlag(args, 'expired'),
    skipKubernetes: booleanFlag(args, 'skip-kubernetes'),
    command,
    cluster: createEtcdAccess(),
    emit: (event) => {
      const format = (io.stdout as { isTTY?: boolean }).isTTY ? formatEventForTerminal : formatEvent;
      io.stdout.write(format(event, Date.now() - started) + '\n');
    },
    print: (text) => io.stdout.write(text),
    confirm: (question) => confirm(question, io),
    interrupted: () => interrupted,
  };
}

async function confirm(question: string, io: CommandIo): Promise<boolean> {
  if (!process.stdin.isTTY) {
    io.stderr.write('etcd-rotate: standard input is not a terminal; pass --yes to carry out the plan\n');
    return false;
  }
  const reader = createInterface({ input: process.stdin, output: io.stderr });
  const answer = await reader.question(`${question} [y/N] `);
  reader.close();
  return /^y(es)?$/i.test(answer.trim());
}
