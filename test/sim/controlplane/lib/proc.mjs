/**
 * Process identity from /proc: a pid alone can be reused, so a container record keeps the
 * process start time too, and a zombie counts as exited (PID 1 on this machine may never reap
 * the orphans a kubelet leaves behind).
 */
import { readFileSync } from 'node:fs';

/** `{ state, startTime }` of `pid` from /proc/<pid>/stat, or undefined when it is gone. */
export function readProcStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
    throw error;
  }
  // The command name (field 2) is in parentheses and may contain spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

/** Whether `pid` is still the live (not zombie) process that started at `startTime`. */
export function isProcessAlive(pid, startTime) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = readProcStat(pid);
  if (stat === undefined) return false;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** Resolves once the process is gone, or to false after `timeoutMs`. */
export async function waitForExit(pid, startTime, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Sends `signal` to `pid`; a process that is already gone is not an error. */
export function signalProcess(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}
