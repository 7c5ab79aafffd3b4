/**
 * Puts the coordinator's image on a containerd peer before its agent starts there: nothing
 * when the peer's containerd has the name pointing at the same digest, else `ctr images pull`
 * by repository digest, else the image itself streamed over SSH (`ctr images export` of the
 * host's containerd into `ssh peer ctr images import`), for peers that reach no registry.
 */

import { execa } from 'execa';
import { pipeline } from 'node:stream/promises';

import { PreflightError } from '../errors.js';
import { buildSshArgv, type SshOptions } from '../remote/ssh-options.js';
import { presentFilter, type ContainerdImage } from './containerd-image.js';
import type { PeerImageOutcome, PeerImageTarget } from './peer-image.js';
import { shellQuote } from '../remote/shell-quote.js';
import { ctrWords } from './runtime-env.js';

/** How to reach containerd, here and on the peer. */
export interface ContainerdPeerImageOptions {
  /** The words that run ctr against this master's containerd (see `hostCtrArgv`). */
  hostCtr: readonly string[];
  /** containerd's socket on the peer. */
  peerAddress: string;
  /** Extra flags of `ctr images pull` on the peer (e.g. --plain-http). */
  pullFlags: readonly string[];
}

/** Makes sure `peer` has `image`; resolves to how, or throws a PreflightError saying why not. */
export async function ensureContainerdPeerImage(
  peer: PeerImageTarget,
  image: ContainerdImage,
  ssh: SshOptions,
  options: ContainerdPeerImageOptions,
  log: (line: string) => void,
): Promise<PeerImageOutcome> {
  const ctr = ctrWords(options.peerAddress).map(shellQuote).join(' ');
  const run = (command: string) =>
    execa('ssh', buildSshArgv(peer.address, command, ssh), { reject: false, stdin: 'ignore' });
  const filter = shellQuote(presentFilter(image));
  const present = async () => {
    const listed = await run(`${ctr} images ls -q ${filter}`);
    return listed.exitCode === 0 && `${listed.stdout}`.trim() !== '';
  };

  if (await present()) return 'present';

  const flags = options.pullFlags.map(shellQuote).join(' ');
  for (const reference of image.repoDigests) {
    log(`pulling ${reference} (ctr)`);
    let command = `${ctr} images pull ${flags} ${shellQuote(reference)} >/dev/null`;
    // The peers run the image by the coordinator's name for it.
    if (reference !== image.reference) {
      command += ` && ${ctr} images tag --force ${shellQuote(reference)} ${shellQuote(image.reference)}`;
    }
    if ((await run(command)).exitCode === 0 && (await present())) return 'pulled';
  }

  log(`streaming image ${image.reference} over SSH (ctr images export | ctr images import)`);
  const [file, ...args] = options.hostCtr;
  const exported = execa(file!, [...args, 'images', 'export', '-', image.reference], {
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false },
  });
  const imported = execa('ssh', buildSshArgv(peer.address, `${ctr} images import -`, ssh), {
    reject: false,
    stdin: 'pipe',
  });
  // A failed import ends the pipe early, which the import itself reports.
  const piped = pipeline(exported.stdout!, imported.stdin!).catch((error: Error) => error);
  const [exportEnd, importEnd] = await Promise.all([exported, imported, piped]);
  // A failed export truncates the import and a failed import breaks the export's pipe: say both.
  const lastLine = (end: { exitCode?: number; stderr: unknown }) =>
    `${end.stderr}`.trim().split('\n').pop() || `exit code ${end.exitCode}`;
  let said: string | undefined;
  if (exportEnd.exitCode !== 0 || importEnd.exitCode !== 0) {
    said = `ctr images export here said: ${exportEnd.exitCode === 0 ? 'ok' : lastLine(exportEnd)}; ctr images import there said: ${importEnd.exitCode === 0 ? 'ok' : lastLine(importEnd)}`;
  } else if (!(await present())) {
    said = `after the import its containerd has no image ${image.reference} at ${image.digest}`;
  }
  if (said !== undefined) {
    throw new PreflightError(`could not stream the etcd-rotate image ${image.reference} to ${peer.name} (${peer.address}): ${said}`, {
      remedy: `check that containerd runs on ${peer.name} and has room for the image, or import it there by hand (ctr -n k8s.io images import)`,
    });
  }
  return 'streamed';
}
