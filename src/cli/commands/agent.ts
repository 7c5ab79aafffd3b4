import { createInterface } from 'node:readline';
import { connectToCoordinator } from '../../agent/callback.js';
import { serveAgent } from '../../agent/serve.js';
import { ExitCode, UsageError } from '../../errors.js';
import { detectContainer } from '../../host/index.js';
import { stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'the peer side of a run, started by the coordinator over SSH or Cloud Assistant',
  hidden: true,
  help: `Usage: etcd-rotate agent [--root DIR] [--connect URL --fingerprint sha256:HEX [--bind ADDRESS]]

Internal: serves the coordinator's requests as JSON lines. Started over SSH by
"etcd-rotate rotate" and "rollback" on the peers, it serves them on standard
input and output. With --connect (Cloud Assistant), it reads a one-time token
from the first line of standard input, connects to the coordinator's TLS
listener at URL from ADDRESS, refuses any certificate but the one with the
given fingerprint, proves the token and serves the requests on that connection.`,
  flags: { strings: ['root', 'connect', 'fingerprint', 'bind'], defaults: { root: '/' } },

  async run(args) {
    const host = { root: stringFlag(args, 'root') ?? '/', containerized: await detectContainer() };
    const url = stringFlag(args, 'connect');
    if (url === undefined) {
      await serveAgent(host, process.stdin, process.stdout);
      return ExitCode.ok;
    }

    const fingerprint = stringFlag(args, 'fingerprint');
    if (!fingerprint || !/^sha256:[0-9a-f]{64}$/i.test(fingerprint)) {
      throw new UsageError('--connect needs --fingerprint sha256:<64 hex digits>, the coordinator listener\'s certificate');
    }
    const token = await readTokenLine();
    const bindAddress = stringFlag(args, 'bind');
    const socket = await connectToCoordinator({ url, fingerprint, token, ...(bindAddress ? { bindAddress } : {}) });
    socket.on('error', () => socket.destroy());
    await serveAgent(host, socket, socket);
    socket.end();
    return ExitCode.ok;
  },
};

async function readTokenLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    if (line.trim() !== '') return line.trim();
    break;
  }
  throw new UsageError('--connect reads the one-time token from the first line of standard input, and there was none');
}
