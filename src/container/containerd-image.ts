/**
 * The image this process runs from on a containerd master: the reference the wrapper script
 * ran (ETCD_ROTATE_IMAGE), resolved to the digest containerd stores it under, through the
 * host's ctr (see `hostCtrArgv`).
 */

import { PreflightError } from '../errors.js';
import { runCommand, showCommand } from '../host/command.js';
import { describeFailure } from '../host/failures.js';
import { containerdAddress, hostCtrArgv } from './runtime-env.js';

/** An image known to the host's containerd. */
export interface ContainerdImage {
  /** Its name in containerd (what `ctr run` takes), the same on every master it is put on. */
  reference: string;
  /** The digest of its manifest (or index): what the name must point at on a peer too. */
  digest: string;
  /** `repository@digest` references to pull it by; pulling one gives this very image. */
  repoDigests: string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The `ctr images ls` filter that lists `image` only when its name points at its digest:
 * what "the peer has the image" means on containerd.
 */
export function presentFilter(image: ContainerdImage): string {
  return `name==${image.reference},target.digest==${image.digest}`;
}

/**
 * Finds this process's image, or undefined when the wrapper did not name it. Throws a
 * PreflightError when ctr cannot run or containerd does not know the reference.
 */
export async function findContainerdImage(env: NodeJS.ProcessEnv = process.env): Promise<ContainerdImage | undefined> {
  const reference = env['ETCD_ROTATE_IMAGE'];
  if (!reference) return undefined;

  const argv = [...hostCtrArgv(env), 'images', 'ls', `name==${reference}`];
  const where = `containerd at ${containerdAddress(env)}`;
  const remedy = 'run etcd-rotate through the wrapper script on the host, or pass --peer-command';
  let output;
  try {
    output = await runCommand(argv, { timeoutMs: 30_000 });
  } catch (error) {
    const reason = describeFailure(error).reason;
    throw new PreflightError(`could not ask ${where} for the image ${reference}: ${argv[0]}: ${reason}`, { remedy, cause: error });
  }
  if (output.exitCode !== 0) {
    const said = output.stderr.trim().split('\n').pop() || `exit ${output.exitCode}`;
    throw new PreflightError(`could not ask ${where} for the image ${reference}: "${showCommand(argv)}" said: ${said}`, { remedy });
  }

  // REF TYPE DIGEST SIZE PLATFORMS LABELS, one image a line after the header.
  const digest = output.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[0] === reference && DIGEST.test(fields[2] ?? ''))?.[2];
  if (digest === undefined) {
    throw new PreflightError(`${where} has no image named ${reference}`, { remedy });
  }
  return { reference, digest, repoDigests: [`${repositoryOf(reference)}@${digest}`] };
}

/** `registry/repo` of `registry/repo:tag`, `registry/repo@sha256:...` or `registry/repo`. */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at >= 0) return reference.slice(0, at);
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
}
