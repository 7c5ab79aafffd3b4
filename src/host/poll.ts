/** Waiting for a condition on the host, checked at an interval, up to a deadline. */

import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How often a static pod restart looks for the component's new container: kubelet starts it
 * within its next sync, and listing containers costs little next to a control-plane restart.
 */
export const RESTART_POLL_MS = 200;

/**
 * Calls `probe` every `pollMs` (default 1 s) until it resolves to something other than
 * undefined, and resolves to that; resolves to undefined once `timeoutMs` has passed.
 * A probe that rejects stops the wait with its error.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs, pollMs = 1000 }: { timeoutMs: number; pollMs?: number },
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(pollMs, left));
  }
}
