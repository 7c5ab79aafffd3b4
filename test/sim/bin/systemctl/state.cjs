'use strict';
/**
 * Unit state (active, inactive, failed) kept in files, liveness read from
 * /proc, and the journal stand-in.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { STATE_DIR, LOG_DIR } = require('./common.cjs');

/** The pid file of a unit. */
function pidPath(name) {
  return path.join(STATE_DIR, `${name}.pid`);
}

/** The stand-in's state file of a unit. */
function statePath(name) {
  return path.join(STATE_DIR, `${name}.state.json`);
}

/** The recorded state; inactive when nothing was recorded. */
function readState(name) {
  try {
    return JSON.parse(fs.readFileSync(statePath(name), 'utf8'));
  } catch {
    return { state: 'inactive' };
  }
}

/** Records the state and keeps the pid file in step with it. */
function writeState(name, state) {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(statePath(name), `${JSON.stringify(state)}\n`);
  if (state.state === 'active') fs.writeFileSync(pidPath(name), `${state.pid}\n`);
  else fs.rmSync(pidPath(name), { force: true });
}

/** The start time of `pid` in clock ticks, or null when it is gone or a zombie. */
function processStartTime(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19];
}

/** active, inactive or failed, with the main PID when active. */
function currentState(name) {
  const st = readState(name);
  if (st.state !== 'active') return st;
  if (processStartTime(st.pid) === st.starttime) return st;
  const failed = { state: 'failed', result: 'exit-code', since: new Date().toISOString() };
  writeState(name, failed);
  journal(name, `${name}: Main process exited, code=exited, status=1/FAILURE (the stand-in does not know the real status)`);
  journal(name, `${name}: Failed with result 'exit-code'.`);
  return failed;
}

/** Appends a systemd-style line to the unit's journal file. */
function journal(name, message) {
  const stamp = new Date().toString().slice(4, 24);
  fs.mkdirSync(LOG_DIR, { recursive: true });
  fs.appendFileSync(path.join(LOG_DIR, `${name}.log`), `${stamp} ${os.hostname()} systemd[1]: ${message}\n`);
}

/** An append descriptor on the unit's journal file, for a process's output. */
function logFd(name) {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  return fs.openSync(path.join(LOG_DIR, `${name}.log`), 'a');
}

/** The last `n` lines of a file, or none when it does not exist. */
function tail(file, n) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l !== '');
  return n <= 0 ? [] : lines.slice(-n);
}

/** The command name of `pid`, for status. */
function processName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

module.exports = {
  readState, writeState, processStartTime, currentState, journal, logFd, tail, processName,
};
