'use strict';
/** status, show and cat: what systemctl reports about a unit. */
const path = require('node:path');
const { LOG_DIR, EXIT, Exit } = require('./common.cjs');
const { currentState, processName, tail } = require('./state.cjs');
const { loadUnit, serviceSettings } = require('./units.cjs');

/** Prints `systemctl status`; returns status's exit code (0 running, 3 not, 4 unknown). */
function status(name, lines) {
  const unit = loadUnit(name);
  const st = currentState(name);
  if (unit === null && st.state === 'inactive') {
    throw new Exit(EXIT.noSuchUnit, `Unit ${name} could not be found.`);
  }
  const s = unit ? serviceSettings(unit) : { description: name, wantedBy: [] };
  const dot = st.state === 'active' ? '●' : st.state === 'failed' ? '×' : '○';
  const since = st.since ? ` since ${new Date(st.since).toString().slice(0, 24)}` : '';
  const sub = {
    active: 'active (running)',
    inactive: 'inactive (dead)',
    failed: `failed (Result: ${st.result})`,
  }[st.state];
  const enabled = s.wantedBy.length > 0 ? 'enabled' : 'static';
  const out = [
    `${dot} ${name} - ${s.description}`,
    `     Loaded: loaded (${unit?.fragment.path ?? '/dev/null'}; ${enabled}; preset: enabled)`,
  ];
  if (unit && unit.dropins.length > 0) {
    out.push(`    Drop-In: ${unit.dropins.map((d) => d.path).join(', ')}`);
  }
  out.push(`     Active: ${sub}${since}`);
  if (st.state === 'active') out.push(`   Main PID: ${st.pid} (${processName(st.pid)})`);
  if (unit?.changed) out.push(`Warning: The unit file, source configuration file or drop-ins of ${name} changed on disk. Run 'systemctl daemon-reload' to reload units.`);
  const log = tail(path.join(LOG_DIR, `${name}.log`), lines);
  if (log.length > 0) out.push('', ...log);
  process.stdout.write(`${out.join('\n')}\n`);
  return st.state === 'active' ? EXIT.ok : EXIT.notActive;
}

/** The `show` properties this stand-in knows. */
function properties(name) {
  const unit = loadUnit(name);
  const st = currentState(name);
  const s = unit ? serviceSettings(unit) : null;
  const active = st.state === 'active';
  return {
    Id: name,
    Names: name,
    Description: s?.description ?? name,
    LoadState: unit === null ? 'not-found' : unit.fragment.masked ? 'masked' : 'loaded',
    ActiveState: st.state,
    SubState: { active: 'running', inactive: 'dead', failed: 'failed' }[st.state],
    Result: st.result ?? 'success',
    MainPID: active ? String(st.pid) : '0',
    ExecMainPID: active ? String(st.pid) : '0',
    ExecMainStartTimestamp: active && st.since ? new Date(st.since).toString().slice(0, 24) : '',
    ActiveEnterTimestamp: st.since ? new Date(st.since).toString().slice(0, 24) : '',
    FragmentPath: unit?.fragment.path ?? '',
    DropInPaths: unit ? unit.dropins.map((d) => d.path).join(' ') : '',
    NeedDaemonReload: unit?.changed ? 'yes' : 'no',
    User: s?.user ?? '',
    Group: s?.group ?? '',
    WorkingDirectory: s?.workingDirectory ?? '',
    Type: 'simple',
    Restart: 'no',
    NRestarts: '0',
    UnitFileState: s && s.wantedBy.length > 0 ? 'enabled' : 'static',
  };
}

/** Prints `systemctl show` lines, or bare values with --value. */
function show(name, props, valueOnly) {
  const all = properties(name);
  const keys = props.length > 0 ? props : Object.keys(all);
  const lines = keys.map((k) => (valueOnly ? all[k] ?? '' : `${k}=${all[k] ?? ''}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Prints the fragment and drop-ins in force, as `systemctl cat`. */
function catUnit(name) {
  const unit = loadUnit(name);
  if (unit === null) throw new Exit(EXIT.failure, `No files found for ${name}.`);
  const parts = [unit.fragment, ...unit.dropins]
    .filter((src) => src.path !== null)
    .map((src) => `# ${src.path}\n${src.text}`);
  process.stdout.write(`${parts.join('\n')}`);
}

module.exports = { status, show, catUnit };
