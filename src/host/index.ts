/**
 * The host a run works on: its files (atomic writes, backups), the run's own state (lock,
 * journal, run files), its systemd units and its container runtime. Every path is a host path
 * under a root prefix ("/" on a master, the mount point inside a container).
 */

export * from './backup-list.js';
export * from './backup-manifest.js';
export * from './backup.js';
export * from './command.js';
export * from './container.js';
export * from './crictl.js';
export * from './directories.js';
export * from './disk.js';
export * from './docker.js';
export * from './failures.js';
export * from './file-state.js';
export * from './files.js';
export * from './journal.js';
export * from './lock.js';
export * from './paths.js';
export * from './poll.js';
export * from './run-files.js';
export * from './runtime.js';
export * from './services.js';
export * from './state-dir.js';
export * from './backup-data.js';
