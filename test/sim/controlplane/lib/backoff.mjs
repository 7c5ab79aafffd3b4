/**
 * The kubelet's restart back-off (client-go flowcontrol.Backoff as kuberuntime uses it): the
 * first restart of a container is immediate; an exit while an entry is fresh waits `delay`
 * counted from the exit, and each restart doubles the delay up to `max`. An entry not
 * touched for 2 x max counts as stable and starts over. Real values: 10 s and 300 s.
 */
export class RestartBackoff {
  constructor(initialMs, maxMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.entries = new Map();
  }

  /** Milliseconds still to wait before restarting `key`, which exited at `finishedAtMs`. */
  remaining(key, finishedAtMs, nowMs = Date.now()) {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, finishedAtMs)) return 0;
    return Math.max(0, finishedAtMs + entry.delayMs - nowMs);
  }

  /** Records a restart of `key` for an exit at `finishedAtMs`. */
  next(key, finishedAtMs, nowMs = Date.now()) {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, finishedAtMs)) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdateMs: nowMs });
    } else {
      entry.delayMs = Math.min(entry.delayMs * 2, this.maxMs);
      entry.lastUpdateMs = nowMs;
    }
  }

  /** The current delay of `key`, for log lines. */
  delay(key) {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  expired(entry, eventMs) {
    return eventMs - entry.lastUpdateMs > this.maxMs * 2;
  }
}
