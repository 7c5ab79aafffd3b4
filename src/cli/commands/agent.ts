import { serveAgent } from '../../agent/serve.js';
import { ExitCode } from '../../errors.js';
import { detectContainer } from '../../host/index.js';
import { stringFlag } from '../args.js';
import type { Command } from '../command.js';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'the peer side of a run, started by the coordinator over SSH',
  hidden: true,
  help: `Usage: etcd-rotate agent [--root DIR]

Internal: serves the coordinator's requests as JSON lines on standard input and
output. Started over SSH by "etcd-rotate rotate" and "rollback" on the peers.`,
  flags: { strings: ['root'], defaults: { root: '/' } },

  async run(args) {
    const host = { root: stringFlag(args, 'root') ?? '/', containerized: await detectContainer() };
    await serveAgent(host, process.stdin, process.stdout);
    return ExitCode.ok;
  },
};
