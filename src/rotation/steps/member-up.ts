import { RunFailedError, messageOf } from '../../errors.js';
import type { PlannedMaster } from '../types.js';
import { sessionOf, type StepContext } from './context.js';

const HEALTHY_TIMEOUT_MS = 60_000;
/** How often the unit is asked whether its process is still there while etcd does not answer. */
const UNIT_CHECK_MS = 2_000;
/** What `systemctl is-active` says of a unit whose process has ended and will not come back alone. */
const GONE = new Set(['failed', 'inactive']);

/**
 * Waits until the member just started is healthy; resolves to how long that
 * took. A member whose etcd process ends meanwhile (killed, or unable to
 * start: unreadable data, a bad flag) fails the step at once with its unit's
 * state, instead of after the whole timeout. "activating" is waited for: a
 * unit with Restart= is on its way back.
 */
export async function waitMemberUp(ctx: StepContext, master: PlannedMaster): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await ctx.cluster.waitHealthy(master, ctx.identity, UNIT_CHECK_MS);
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started >= HEALTHY_TIMEOUT_MS) {
        throw new RunFailedError(`${master.name}: etcd did not become healthy within ${HEALTHY_TIMEOUT_MS / 1000} s of its start: ${messageOf(error)}`, {
          remedy: `check "journalctl -u etcd" on ${master.hostname} (${master.ip}), then run "etcd-rotate rotate --resume"`,
          cause: error,
        });
      }
    }
    await requireRunning(ctx, master);
  }
}

/** Fails when the etcd unit of `master` is neither active nor on its way. */
async function requireRunning(ctx: StepContext, master: PlannedMaster): Promise<void> {
  if (master.etcdService.kind !== 'systemd') return;
  const unit = master.etcdService.unit;
  const { state } = await sessionOf(ctx, master.name).call('service', { action: 'is-active', unit });
  if (!GONE.has(state)) return;
  throw new RunFailedError(
    `${master.name}: etcd stopped running after it was started ("systemctl is-active ${unit}" says ${state}); the other members keep quorum`,
    {
      remedy: `find the cause in "journalctl -u ${unit}" on ${master.hostname} (${master.ip}) and fix it, then "etcd-rotate rotate --resume" starts the member again`,
    },
  );
}

/**
 * After a failed write on a stopped member, starts it again on the files it
 * has (each file is either old or new, never half-written), so the cluster is
 * whole while the operator fixes the cause; the write's error is rethrown,
 * saying whether the member is back.
 */
export async function restartAfterFailedWrite(
  ctx: StepContext,
  master: PlannedMaster,
  start: () => Promise<void>,
  error: unknown,
): Promise<never> {
  let outcome: string;
  try {
    await start();
    await waitMemberUp(ctx, master);
    outcome = 'etcd was started again on the files it had';
  } catch (again) {
    outcome = `etcd could not be started again (${messageOf(again)})`;
  }
  const remedy = 'free the space or fix the path on that master, then run "etcd-rotate rotate --resume"';
  throw new RunFailedError(`${messageOf(error)}; ${outcome}`, { remedy: (error as { remedy?: string }).remedy ?? remedy, cause: error });
}
