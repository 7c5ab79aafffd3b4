'use strict';
/**
 * Unit files: finding a unit and its drop-ins like systemd, parsing them, and
 * keeping the definition loaded at the last daemon-reload in force.
 */
const fs = require('node:fs');
const path = require('node:path');
const { UNIT_DIRS, STATE_DIR, DEFAULT_TIMEOUT_STOP_MS, EXIT, Exit } = require('./common.cjs');
const { splitWords } = require('./exec.cjs');

/** Appends `.service` unless the name already has a unit suffix. */
function unitName(name) {
  return /\.(service|socket|target|timer|mount|path|slice|scope)$/.test(name)
    ? name
    : `${name}.service`;
}

/** Parses unit-file text into [section, key, value] triples, in order. */
function parseUnitText(text) {
  const out = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      const next = lines[++i].trim();
      // systemd skips comment lines inside a continuation
      if (next.startsWith('#') || next.startsWith(';')) continue;
      line = `${line.slice(0, -1)} ${next}`;
    }
    if (line.endsWith('\\')) line = line.slice(0, -1);
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out.push([section, line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return out;
}

/** Finds the fragment and drop-ins of `name` on disk; null when there is none. */
function findUnitFiles(name) {
  let fragment = null;
  for (const dir of UNIT_DIRS) {
    const p = path.join(dir, name);
    if (fs.existsSync(p) || isDanglingLink(p)) {
      fragment = p;
      break;
    }
  }
  const dropins = new Map();
  for (const dir of UNIT_DIRS) {
    const d = path.join(dir, `${name}.d`);
    let entries = [];
    try {
      entries = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.endsWith('.conf') && !dropins.has(e)) dropins.set(e, path.join(d, e));
    }
  }
  if (fragment === null && dropins.size === 0) return null;
  const sorted = [...dropins.keys()].sort().map((k) => dropins.get(k));
  return { fragment, dropins: sorted };
}

/** True for a symlink whose target is missing. */
function isDanglingLink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Reads a unit file; a link to /dev/null means masked. */
function readSource(p) {
  if (p === null) return { path: null, text: '' };
  let real = p;
  try {
    real = fs.realpathSync(p);
  } catch {
    return { path: p, text: '', masked: false, missing: true };
  }
  if (real === '/dev/null') return { path: p, text: '', masked: true };
  return { path: p, text: fs.readFileSync(p, 'utf8') };
}

/** Reads the unit's files as they are on disk now. */
function readUnitFromDisk(name) {
  const files = findUnitFiles(name);
  if (files === null) return null;
  return {
    name,
    fragment: readSource(files.fragment),
    dropins: files.dropins.map(readSource),
  };
}

/** Where the definition loaded since the last daemon-reload is kept. */
function snapshotPath(name) {
  return path.join(STATE_DIR, 'units', `${name}.json`);
}

/**
 * The unit definition in force: the one loaded since the last daemon-reload
 * (kept in a snapshot), or the files on disk when it was never loaded.
 * Returns `changed` when the files on disk differ from the loaded ones.
 */
function loadUnit(name) {
  const disk = readUnitFromDisk(name);
  let loaded = null;
  try {
    loaded = JSON.parse(fs.readFileSync(snapshotPath(name), 'utf8'));
  } catch {
    loaded = null;
  }
  if (loaded === null) {
    if (disk === null) return null;
    fs.mkdirSync(path.dirname(snapshotPath(name)), { recursive: true });
    fs.writeFileSync(snapshotPath(name), JSON.stringify(disk));
    return { ...disk, changed: false };
  }
  const changed = JSON.stringify(disk) !== JSON.stringify(loaded);
  return { ...loaded, changed };
}

function warnIfChanged(unit) {
  if (unit.changed) {
    process.stderr.write(
      `Warning: The unit file, source configuration file or drop-ins of ${unit.name} ` +
        "changed on disk. Run 'systemctl daemon-reload' to reload units.\n",
    );
  }
}

/** Exec settings that accumulate, and their field in the settings object. */
const EXEC_LISTS = { ExecStart: 'execStart', ExecStartPre: 'execStartPre', ExecStop: 'execStop' };

/** Folds the fragment and drop-ins into the settings this stand-in uses. */
function serviceSettings(unit) {
  const s = {
    description: unit.name,
    execStart: [],
    execStartPre: [],
    execStop: [],
    user: null,
    group: null,
    workingDirectory: null,
    environment: [],
    environmentFiles: [],
    timeoutStopMs: DEFAULT_TIMEOUT_STOP_MS,
    killSignal: 'SIGTERM',
    killMode: 'control-group',
    wantedBy: [],
  };
  const texts = [unit.fragment, ...unit.dropins].map((src) => src.text);
  for (const [section, key, value] of texts.flatMap(parseUnitText)) {
    if (section === 'Unit' && key === 'Description') s.description = value;
    if (section === 'Install' && (key === 'WantedBy' || key === 'RequiredBy')) {
      s.wantedBy.push(...value.split(/\s+/).filter(Boolean));
    }
    if (section !== 'Service') continue;
    const list = EXEC_LISTS[key];
    if (list) {
      if (value === '') s[list] = [];
      else s[list].push(value);
    } else if (key === 'User') s.user = value || null;
    else if (key === 'Group') s.group = value || null;
    else if (key === 'WorkingDirectory') s.workingDirectory = value || null;
    else if (key === 'Environment') {
      if (value === '') s.environment = [];
      else s.environment.push(...splitWords(value, {}, false));
    } else if (key === 'EnvironmentFile') {
      if (value === '') s.environmentFiles = [];
      else s.environmentFiles.push(value);
    } else if (key === 'TimeoutStopSec' || key === 'TimeoutSec') {
      s.timeoutStopMs = parseTimespan(value);
    } else if (key === 'KillSignal') {
      s.killSignal = value.startsWith('SIG') ? value : `SIG${value}`;
    } else if (key === 'KillMode') s.killMode = value;
  }
  return s;
}

/** systemd time spans: `90`, `90s`, `1min 30s`, `500ms`, `infinity`. */
function parseTimespan(value) {
  if (value === 'infinity') return Infinity;
  const units = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)\s*([a-z]*)/g;
  let m;
  while ((m = re.exec(value)) !== null) {
    const unit = m[2] === '' ? 's' : m[2];
    if (!(unit in units)) throw new Exit(EXIT.failure, `Failed to parse time span "${value}"`);
    total += Number(m[1]) * units[unit];
  }
  return total;
}

/** Forgets every loaded definition; the next command reads the files again. */
function daemonReload() {
  fs.rmSync(path.join(STATE_DIR, 'units'), { recursive: true, force: true });
}

module.exports = {
  unitName, parseUnitText, loadUnit, warnIfChanged, serviceSettings, parseTimespan, daemonReload,
};
