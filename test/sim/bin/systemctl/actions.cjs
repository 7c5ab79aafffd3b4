'use strict';
/** start and stop: spawning a unit's process detached as its user, and ending it like systemd. */
const { spawn, spawnSync } = require('node:child_process');
const { EXIT, Exit } = require('./common.cjs');
const { executionContext, parseExec } = require('./exec.cjs');
const {
  currentState, journal, logFd, processStartTime, readState, writeState,
} = require('./state.cjs');
const { loadUnit, serviceSettings, warnIfChanged } = require('./units.cjs');

/** The unit in force, or the systemctl error for a missing or masked unit. */
function requireUnit(name, verb) {
  const unit = loadUnit(name);
  if (unit === null) throw new Exit(EXIT.notLoaded, `Failed to ${verb} ${name}: Unit ${name} not found.`);
  if (unit.fragment.masked) throw new Exit(EXIT.failure, `Failed to ${verb} ${name}: Unit ${name} is masked.`);
  return unit;
}

/** systemctl's message when a start job fails. */
function jobFailed(name) {
  return new Exit(
    EXIT.failure,
    `Job for ${name} failed because the control process exited with error code.\n` +
      `See "systemctl status ${name}" and "journalctl -xeu ${name}" for details.`,
  );
}

/** Runs an ExecStartPre/ExecStop command to completion; true when it succeeded or may fail. */
function runSync(ctx, exec, name) {
  const r = spawnSync(exec.argv[0], exec.argv.slice(1), {
    cwd: ctx.cwd, env: ctx.env, uid: ctx.uid, gid: ctx.gid, argv0: exec.argv0,
    stdio: ['ignore', logFd(name), logFd(name)],
  });
  return r.status === 0 || exec.ignoreFailure;
}

/** Starts the unit unless it is active: ExecStartPre, then the main process, detached. */
async function start(name) {
  const unit = requireUnit(name, 'start');
  warnIfChanged(unit);
  if (currentState(name).state === 'active') return;

  const s = serviceSettings(unit);
  if (s.execStart.length === 0) {
    throw new Exit(EXIT.failure, `Failed to start ${name}: Unit ${name} has no ExecStart= setting.`);
  }
  const ctx = executionContext(name, s);
  journal(name, `Starting ${name} - ${s.description}...`);
  for (const pre of s.execStartPre) {
    if (!runSync(ctx, parseExec(pre, ctx.env, ctx.specifiers), name)) {
      writeState(name, { state: 'failed', result: 'exit-code', since: new Date().toISOString() });
      journal(name, `Failed to start ${name} - ${s.description}.`);
      throw jobFailed(name);
    }
  }

  const exec = parseExec(s.execStart[s.execStart.length - 1], ctx.env, ctx.specifiers);
  const out = logFd(name);
  const child = spawn(exec.argv[0], exec.argv.slice(1), {
    cwd: ctx.cwd, env: ctx.env, uid: ctx.uid, gid: ctx.gid, argv0: exec.argv0,
    detached: true, stdio: ['ignore', out, out],
  });
  const spawned = await new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawned !== null) {
    writeState(name, { state: 'failed', result: 'exit-code', since: new Date().toISOString() });
    journal(name, `${name}: Failed to execute ${exec.argv[0]}: ${spawned.message}`);
    journal(name, `Failed to start ${name} - ${s.description}.`);
    throw jobFailed(name);
  }
  child.unref();
  writeState(name, {
    state: 'active', pid: child.pid, starttime: processStartTime(child.pid),
    since: new Date().toISOString(),
  });
  journal(name, `Started ${name} - ${s.description}.`);
}

/** Signals the main process, or its whole process group (the stand-in's cgroup). */
function signalGroup(pid, signal, wholeGroup) {
  try {
    process.kill(wholeGroup ? -pid : pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/** Stops an active unit: ExecStop, KillSignal, then SIGKILL after TimeoutStopSec. */
async function stop(name) {
  const unit = loadUnit(name);
  if (unit === null && readState(name).state === 'inactive') {
    throw new Exit(EXIT.notLoaded, `Failed to stop ${name}: Unit ${name} not loaded.`);
  }
  const st = currentState(name);
  if (st.state !== 'active') return;

  // A unit whose file was removed is still stopped, with default settings.
  const s = serviceSettings(unit ?? { name, fragment: { text: '' }, dropins: [] });
  journal(name, `Stopping ${name} - ${s.description}...`);
  if (s.execStop.length > 0) {
    const ctx = executionContext(name, s);
    ctx.env.MAINPID = String(st.pid);
    for (const cmd of s.execStop) runSync(ctx, parseExec(cmd, ctx.env, ctx.specifiers), name);
  }
  const group = s.killMode === 'control-group';
  if (s.killMode !== 'none') {
    signalGroup(st.pid, s.killSignal, group);
    signalGroup(st.pid, 'SIGCONT', group);
  }

  const deadline = Date.now() + s.timeoutStopMs;
  while (processStartTime(st.pid) === st.starttime && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
  if (processStartTime(st.pid) === st.starttime) {
    journal(name, `${name}: State 'stop-sigterm' timed out. Killing.`);
    signalGroup(st.pid, 'SIGKILL', s.killMode !== 'process');
    while (processStartTime(st.pid) === st.starttime) await new Promise((r) => setTimeout(r, 25));
    writeState(name, { state: 'failed', result: 'timeout', since: new Date().toISOString() });
    journal(name, `${name}: Failed with result 'timeout'.`);
    return;
  }
  writeState(name, { state: 'inactive', since: new Date().toISOString() });
  journal(name, `Stopped ${name} - ${s.description}.`);
}

module.exports = { requireUnit, start, stop, signalGroup };
