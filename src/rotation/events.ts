/** What a run reports as it goes; formatted in one place, so a JSON stream costs nothing. */
export type RunEvent =
  | { kind: 'phase'; index: number; total: number; name: string; title: string }
  | { kind: 'phase-done'; name: string; elapsedMs: number }
  | { kind: 'step'; phase: string; host?: string; message: string }
  | { kind: 'warn'; phase?: string; host?: string; message: string }
  | { kind: 'info'; message: string };

/** Receives events; the CLI prints them, the journal keeps them. */
export type EventSink = (event: RunEvent) => void;

/** ANSI styles for a terminal; plain text everywhere else (logs, pipes, journals). */
const STYLES = { phase: '\x1b[1m', warn: '\x1b[33m', done: '\x1b[32m', reset: '\x1b[0m' };

/** `formatEvent`, bold phases, yellow warnings and green results, for a terminal. */
export function formatEventForTerminal(event: RunEvent, elapsedMs: number): string {
  const line = formatEvent(event, elapsedMs);
  const style = event.kind === 'phase' ? STYLES.phase : event.kind === 'warn' ? STYLES.warn : event.kind === 'info' ? STYLES.done : '';
  return style ? `${style}${line}${STYLES.reset}` : line;
}

/**
 * One plain line per event, with the time since the run started, the phase
 * and the master: `[  3.2s] [trust-both] [127.0.0.12-name-2] etcd restarted`.
 */
export function formatEvent(event: RunEvent, elapsedMs: number): string {
  const time = `[${(elapsedMs / 1000).toFixed(1).padStart(6)}s]`;
  switch (event.kind) {
    case 'phase':
      return `${time} [${event.name}] phase ${event.index}/${event.total}: ${event.title}`;
    case 'phase-done':
      return `${time} [${event.name}] done in ${(event.elapsedMs / 1000).toFixed(1)}s`;
    case 'step':
      return `${time} [${event.phase}]${event.host ? ` [${event.host}]` : ''} ${event.message}`;
    case 'warn':
      return `${time}${event.phase ? ` [${event.phase}]` : ''}${event.host ? ` [${event.host}]` : ''} WARNING: ${event.message}`;
    case 'info':
      return `${time} ${event.message}`;
  }
}
