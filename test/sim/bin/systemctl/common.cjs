'use strict';
/** Paths, exit codes and the error type shared by the systemctl stand-in's modules. */

/** Where systemd looks for unit files, in order of precedence. */
const UNIT_DIRS = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];
/** Unit state (pid files) and the loaded unit definitions. */
const STATE_DIR = process.env.SIM_SYSTEMCTL_STATE_DIR || '/run/sim';
/** The "journal": one file per unit. */
const LOG_DIR = process.env.SIM_SYSTEMCTL_LOG_DIR || '/var/log/sim';
/** The PATH systemd gives services. */
const SERVICE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_TIMEOUT_STOP_MS = 90_000;

/** systemctl's exit codes (LSB for is-active and status). */
const EXIT = { ok: 0, failure: 1, notActive: 3, noSuchUnit: 4, notLoaded: 5 };

/** Thrown to end the command with a systemctl-like message and exit code. */
class Exit extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

module.exports = {
  UNIT_DIRS, STATE_DIR, LOG_DIR, SERVICE_PATH, DEFAULT_TIMEOUT_STOP_MS, EXIT, Exit,
};
