'use strict';
/**
 * A `systemctl` stand-in for the etcd-rotate simulation, where systemd cannot
 * run. It is installed as /usr/local/sbin/systemctl inside each simulated
 * master and answers the part of systemctl a rotation tool uses:
 *
 *   start | stop | restart | try-restart | is-active | is-failed | is-enabled |
 *   status | show [-p NAME[,NAME]] [--value] | cat | daemon-reload | kill [-s SIG] |
 *   reset-failed | enable | disable
 *
 * Units are found like systemd finds them (/etc/systemd/system, then
 * /run/systemd/system, /usr/lib/systemd/system, /lib/systemd/system), with
 * `<unit>.d/*.conf` drop-ins. From [Service] it honours ExecStart (backslash
 * continuations, quotes, `$VAR`/`${VAR}`, the `-` prefix), ExecStartPre, ExecStop,
 * User, Group, WorkingDirectory, Environment, EnvironmentFile, TimeoutStopSec,
 * TimeoutSec, KillSignal and KillMode. A started process runs detached (its own
 * session) as the unit's user, with systemd's clean environment; its output is
 * appended to /var/log/sim/<unit>.log (the "journal") and its PID is kept in
 * /run/sim/<unit>.pid. Like systemd, a changed unit file is not used until
 * `daemon-reload`: the definition loaded earlier stays in force, with
 * systemd's warning.
 *
 * NB. What it does not do, plainly:
 * - No supervision: Restart= and RestartSec= are ignored. A process that dies
 *   stays dead and the unit shows as "failed" (also when it exited with 0).
 * - Type= is ignored: every unit is treated as Type=simple. There is no
 *   sd_notify, so `start` returns once the process has been spawned, never
 *   after it reports readiness; forking services are not tracked.
 * - No cgroups: "the unit's processes" means the main process's process group. Run from a
 *   container's cgroup, it moves itself to PID 1's first (see cgroup.cjs).
 * - No resource limits (LimitNOFILE= and friends), no sandboxing options,
 *   no ExecStartPost/ExecReload/ExecStopPost, and only the %n %N %p %i %H %% specifiers.
 * - enable/disable change nothing; is-enabled reads [Install] only.
 * - Exit statuses of dead processes are not known (nobody waits for them).
 */
const { leaveContainerCgroup } = require('./cgroup.cjs');
const { EXIT, Exit } = require('./common.cjs');
const { requireUnit, signalGroup, start, stop } = require('./actions.cjs');
const { catUnit, show, status } = require('./report.cjs');
const { currentState, readState, writeState } = require('./state.cjs');
const { daemonReload, loadUnit, serviceSettings, unitName } = require('./units.cjs');

/** Splits the command line into verb, units and options. */
function parseArgs(argv) {
  const opts = { props: [], value: false, quiet: false, lines: 10, signal: 'SIGTERM' };
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = () => inline ?? argv[++i];
    if (flag === '-p' || flag === '--property') opts.props.push(...take().split(','));
    else if (flag === '--value') opts.value = true;
    else if (flag === '-q' || flag === '--quiet') opts.quiet = true;
    else if (flag === '-n' || flag === '--lines') opts.lines = Number(take());
    else if (flag === '-s' || flag === '--signal') opts.signal = take();
    else if (flag === '--version') words.push('--version');
    else if (a.startsWith('-')) continue;
    else words.push(a);
  }
  return { verb: words[0], units: words.slice(1).map(unitName), opts };
}

/** Runs one systemctl command; resolves to its exit code. */
async function main(argv) {
  const { verb, units, opts } = parseArgs(argv);
  process.umask(0o022);
  const needUnits = () => {
    if (units.length === 0) throw new Exit(EXIT.failure, `Too few arguments.`);
  };
  switch (verb) {
    case '--version':
      process.stdout.write('systemd 252 (252) [etcd-rotate simulation stand-in]\n');
      return EXIT.ok;
    case 'daemon-reload':
      daemonReload();
      return EXIT.ok;
    case 'start':
      needUnits();
      for (const u of units) await start(u);
      return EXIT.ok;
    case 'stop':
      needUnits();
      for (const u of units) await stop(u);
      return EXIT.ok;
    case 'restart':
    case 'reload-or-restart':
      needUnits();
      for (const u of units) {
        requireUnit(u, 'restart');
        await stop(u);
        await start(u);
      }
      return EXIT.ok;
    case 'try-restart':
      needUnits();
      for (const u of units) {
        if (currentState(u).state !== 'active') continue;
        await stop(u);
        await start(u);
      }
      return EXIT.ok;
    case 'is-active':
    case 'is-failed': {
      needUnits();
      const states = units.map((u) => currentState(u).state);
      if (!opts.quiet) process.stdout.write(`${states.join('\n')}\n`);
      const want = verb === 'is-active' ? 'active' : 'failed';
      return states.includes(want) ? EXIT.ok : verb === 'is-active' ? EXIT.notActive : EXIT.failure;
    }
    case 'is-enabled': {
      needUnits();
      let code = EXIT.ok;
      for (const u of units) {
        const unit = loadUnit(u);
        if (unit === null) {
          process.stderr.write(`Failed to get unit file state for ${u}: No such file or directory\n`);
          code = EXIT.failure;
          continue;
        }
        const enabled = serviceSettings(unit).wantedBy.length > 0 ? 'enabled' : 'static';
        if (!opts.quiet) process.stdout.write(`${enabled}\n`);
      }
      return code;
    }
    case 'enable':
    case 'disable':
      needUnits();
      for (const u of units) requireUnit(u, verb);
      return EXIT.ok;
    case 'status': {
      needUnits();
      let code = EXIT.ok;
      for (const u of units) code = Math.max(code, status(u, opts.lines));
      return code;
    }
    case 'show':
      needUnits();
      for (const u of units) show(u, opts.props, opts.value);
      return EXIT.ok;
    case 'cat':
      needUnits();
      for (const u of units) catUnit(u);
      return EXIT.ok;
    case 'kill':
      needUnits();
      for (const u of units) {
        const st = currentState(u);
        const signal = opts.signal.startsWith('SIG') ? opts.signal : `SIG${opts.signal}`;
        if (st.state === 'active') signalGroup(st.pid, signal, true);
      }
      return EXIT.ok;
    case 'reset-failed':
      for (const u of units) {
        if (readState(u).state === 'failed') writeState(u, { state: 'inactive' });
      }
      return EXIT.ok;
    case undefined:
      throw new Exit(EXIT.failure, 'This systemctl stand-in cannot list units; name a unit and a verb.');
    default:
      throw new Exit(EXIT.failure, `Unknown command verb '${verb}'.`);
  }
}

/** Runs the command line and exits with systemctl's code. */
function run(argv = process.argv.slice(2)) {
  leaveContainerCgroup();
  main(argv).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof Exit) {
        process.stderr.write(`${err.message}\n`);
        process.exit(err.code);
      }
      process.stderr.write(`systemctl stand-in: ${err.stack ?? err}\n`);
      process.exit(EXIT.failure);
    },
  );
}

module.exports = { run, parseArgs };

if (require.main === module) run();
