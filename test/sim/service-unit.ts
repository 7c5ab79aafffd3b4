/**
 * The text of a plain simulated service unit: what systemd reads from
 * /usr/lib/systemd/system, and what the systemctl stand-in runs.
 */
export function renderServiceUnit(unit: { description: string; after?: string; execStart: string }): string {
  return [
    '[Unit]',
    `Description=${unit.description}`,
    ...(unit.after ? [`After=${unit.after}`] : []),
    '',
    '[Service]',
    `ExecStart=${unit.execStart}`,
    // The stand-in stops the main process only, as systemd does with KillMode=process.
    'KillMode=process',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
