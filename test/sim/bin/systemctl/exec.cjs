'use strict';
/**
 * Command lines (systemd's quoting and expansion), and the credentials and
 * environment they run with.
 */
const fs = require('node:fs');
const os = require('node:os');
const crypto = require('node:crypto');
const { SERVICE_PATH, EXIT, Exit } = require('./common.cjs');

/**
 * Splits a systemd command line into words: double and single quotes,
 * backslash escapes, `${VAR}` inside words and `$VAR` as whole words (split
 * on whitespace), `$$` for a dollar sign. `expand` false keeps `$` as is.
 */
function splitWords(line, env, expand = true) {
  const words = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/.exec(line.slice(i));
    if (expand && whole) {
      const v = env[whole[1]];
      if (v !== undefined) words.push(...v.split(/\s+/).filter(Boolean));
      i += whole[0].length;
      continue;
    }
    let word = '';
    let quote = null;
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote === null && /\s/.test(c)) break;
      if (c === '\\' && i + 1 < line.length) {
        const n = line[++i];
        word += { n: '\n', t: '\t', r: '\r' }[n] ?? n;
      } else if (quote !== null && c === quote) quote = null;
      else if (quote === null && (c === '"' || c === "'")) quote = c;
      else if (expand && c === '$' && line[i + 1] === '$') {
        word += '$';
        i++;
      } else if (expand && c === '$' && line[i + 1] === '{') {
        const end = line.indexOf('}', i);
        word += env[line.slice(i + 2, end)] ?? '';
        i = end;
      } else word += c;
    }
    words.push(word);
  }
  return words;
}

/** Strips systemd's exec prefixes; `ignoreFailure` is the `-` prefix. */
function parseExec(value, env, specifiers) {
  let i = 0;
  let ignoreFailure = false;
  let expand = true;
  let separateArgv0 = false;
  while (i < value.length && '-@:+!'.includes(value[i])) {
    if (value[i] === '-') ignoreFailure = true;
    if (value[i] === ':') expand = false;
    if (value[i] === '@') separateArgv0 = true;
    i++;
  }
  const text = value.slice(i).replace(/%([%nNpiIH])/g, (_, c) => specifiers[c] ?? '');
  let argv = splitWords(text, env, expand);
  let argv0;
  if (separateArgv0) {
    argv0 = argv[1];
    argv = [argv[0], ...argv.slice(2)];
  }
  return { argv, argv0, ignoreFailure };
}

/** Resolves a user name or uid through /etc/passwd (the master's copy). */
function lookupUser(name) {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const line of passwd) {
    const f = line.split(':');
    if (f[0] === name || (/^\d+$/.test(name) && f[2] === name)) {
      return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6] };
    }
  }
  throw new Exit(EXIT.failure, `Failed to resolve user ${name}: No such process`);
}

/** Resolves a group name or gid through /etc/group. */
function lookupGroup(name) {
  for (const line of fs.readFileSync('/etc/group', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name || (/^\d+$/.test(name) && f[2] === name)) return Number(f[2]);
  }
  throw new Exit(EXIT.failure, `Failed to resolve group ${name}: No such process`);
}

/** The credentials, environment and directory a unit's commands run with. */
function executionContext(unitName_, s) {
  const user = s.user
    ? lookupUser(s.user)
    : { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' };
  const gid = s.group ? lookupGroup(s.group) : user.gid;
  const env = { PATH: SERVICE_PATH, INVOCATION_ID: crypto.randomBytes(16).toString('hex') };
  if (s.user) {
    Object.assign(env, { HOME: user.home, LOGNAME: user.name, USER: user.name, SHELL: user.shell });
  }
  for (const f of s.environmentFiles) {
    const optional = f.startsWith('-');
    const file = optional ? f.slice(1) : f;
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (optional) continue;
      throw new Exit(EXIT.failure, `Failed to load environment file ${file}: ${err.message}`);
    }
    for (const line of text.split('\n')) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (m) env[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  for (const assignment of s.environment) {
    const eq = assignment.indexOf('=');
    if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }

  let cwd = s.workingDirectory ?? '/';
  const optionalCwd = cwd.startsWith('-');
  if (optionalCwd) cwd = cwd.slice(1);
  if (cwd === '~') cwd = user.home;
  if (!fs.existsSync(cwd)) {
    if (!optionalCwd) throw new Exit(EXIT.failure, `${unitName_}: Changing to the requested working directory failed: No such file or directory`);
    cwd = '/';
  }
  const specifiers = {
    '%': '%',
    n: unitName_,
    N: unitName_.replace(/\.[^.]+$/, ''),
    p: unitName_.replace(/(@.*)?\.[^.]+$/, ''),
    i: '',
    I: '',
    H: os.hostname(),
  };
  return { uid: user.uid, gid, env, cwd, specifiers };
}

module.exports = { splitWords, parseExec, executionContext };
