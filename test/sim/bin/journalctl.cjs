#!/usr/bin/env node
'use strict';
/**
 * A `journalctl` stand-in for the etcd-rotate simulation: prints the "journal"
 * that the systemctl stand-in keeps in /var/log/sim/<unit>.log.
 *
 *   journalctl -u UNIT [-u UNIT...] [-n N | --lines=N] [-f] [--no-pager]
 *
 * NB. Lines are printed as the service wrote them (etcd stamps its own); there
 * is no filtering by time (--since/--until are accepted and ignored), no
 * priorities, no boot ids and no output formats. Without -n every line is printed.
 */
const fs = require('node:fs');
const path = require('node:path');

const LOG_DIR = process.env.SIM_SYSTEMCTL_LOG_DIR || '/var/log/sim';

function unitName(name) {
  return /\.[a-z]+$/.test(name) ? name : `${name}.service`;
}

function parseArgs(argv) {
  const opts = { units: [], lines: Infinity, follow: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = () => inline ?? argv[++i];
    if (flag === '-u' || flag === '--unit') opts.units.push(unitName(take()));
    else if (flag === '-n' || flag === '--lines') {
      const v = take();
      opts.lines = v === 'all' ? Infinity : Number(v);
    }
    else if (flag === '-f' || flag === '--follow') opts.follow = true;
    else if (['--since', '--until', '-o', '--output'].includes(flag)) take();
    else if (/^-n\d+$/.test(a)) opts.lines = Number(a.slice(2));
  }
  return opts;
}

function main(argv) {
  const opts = parseArgs(argv);
  if (opts.units.length === 0) {
    process.stderr.write('This journalctl stand-in only shows units: pass -u UNIT.\n');
    return 1;
  }
  const files = opts.units.map((u) => path.join(LOG_DIR, `${u}.log`));
  const lines = files.flatMap((f) => {
    try {
      return fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  });
  const shown = opts.lines === Infinity ? lines : lines.slice(-opts.lines);
  process.stdout.write(shown.length > 0 ? `${shown.join('\n')}\n` : '-- No entries --\n');
  if (!opts.follow) return 0;
  const sizes = new Map(files.map((f) => [f, fs.existsSync(f) ? fs.statSync(f).size : 0]));
  setInterval(() => {
    for (const f of files) {
      const size = fs.existsSync(f) ? fs.statSync(f).size : 0;
      const from = sizes.get(f);
      if (size > from) {
        const fd = fs.openSync(f, 'r');
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        fs.closeSync(fd);
        process.stdout.write(buf);
      }
      sizes.set(f, size);
    }
  }, 200);
  return undefined;
}

const code = main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
