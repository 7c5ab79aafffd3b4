import type { Command } from '../command.js';
import { agentCommand } from './agent.js';
import { backupsCommand } from './backups.js';
import { checkCommand } from './check.js';
import { discoverCommand } from './discover.js';
import { restartApiserverCommand } from './restart-apiserver.js';
import { rollbackCommand } from './rollback.js';
import { rotateCommand } from './rotate.js';

/** Every command, in the order `etcd-rotate --help` lists them. */
export const COMMANDS: Command[] = [
  rotateCommand,
  checkCommand,
  rollbackCommand,
  backupsCommand,
  discoverCommand,
  restartApiserverCommand,
  agentCommand,
];
