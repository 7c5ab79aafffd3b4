/**
 * What a failed file operation means, in words the operator can act on.
 *
 * One table keyed on the errno code, shared by every file helper in `src/host`, so a full disk
 * or a read-only mount reads the same whichever step met it.
 */

/** Why a file operation failed and what to do about it. */
export interface FailureText {
  reason: string;
  remedy: string;
}

const AS_ROOT = 'run etcd-rotate as root (or in a privileged container) and run again';

const FAILURES: Record<string, FailureText> = {
  ENOSPC: { reason: 'no space left on the device', remedy: 'free space there and run again' },
  EDQUOT: { reason: 'disk quota exceeded', remedy: 'raise the quota or free space, then run again' },
  EROFS: {
    reason: 'the filesystem is read-only',
    remedy: 'mount it read-write (in a container: mount the host filesystem read-write) and run again',
  },
  EACCES: { reason: 'permission denied', remedy: AS_ROOT },
  EPERM: {
    reason: 'operation not permitted',
    remedy: `${AS_ROOT}; if already root, check for the immutable flag with "lsattr" and clear it with "chattr -i"`,
  },
  ENOENT: { reason: 'no such file or directory', remedy: 'fix the path, then run again' },
  ENOTDIR: {
    reason: 'a component of the path is not a directory',
    remedy: 'fix the path on the host, then run again',
  },
  EISDIR: { reason: 'it is a directory, not a file', remedy: 'replace it with the file it should be' },
  ELOOP: { reason: 'too many levels of symbolic links', remedy: 'fix the symbolic links on that path' },
  EIO: { reason: 'input/output error', remedy: 'check the disk (dmesg) before running again' },
  EMFILE: { reason: 'too many open files', remedy: 'raise the open file limit (ulimit -n) and run again' },
};

/** The errno code of a thrown value, or '' when it has none. */
export function errnoOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/**
 * Describes a failed file operation; `overrides` word codes for one operation (a missing path
 * means something else to a write than to a read). Unknown codes fall back to the message.
 */
export function describeFailure(
  error: unknown,
  overrides: Record<string, FailureText> = {},
): FailureText {
  const known = overrides[errnoOf(error)] ?? FAILURES[errnoOf(error)];
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return { reason: message, remedy: 'fix the cause above and run again' };
}
