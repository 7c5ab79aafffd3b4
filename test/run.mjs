#!/usr/bin/env node
// Runs the uvu suites under test/ (or the folders given) through tsx and ends
// with the plain "N passed, N failed" line. Usage: node test/run.mjs [dir or file ...]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dirs = process.argv.slice(2);
const targets = dirs.length > 0 ? dirs : ['test'];

const EXIT_GRACE_MS = 60_000;
/** The longest one target may run: a net for a hang, far above the whole of test/ (under an hour here). */
const TARGET_TIMEOUT_MS = 180 * 60_000;

let passed = 0;
let total = 0;
let skipped = 0;
let failedRuns = 0;

for (const dir of targets) {
  const code = await runUvu(dir);
  if (code !== 0) failedRuns += 1;
}

// uvu's Total leaves skipped tests out. A suite that crashed while loading
// counts as a failure even though uvu counted no test.
let failed = total - passed;
if (failedRuns > 0 && failed === 0) failed = failedRuns;
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || failedRuns > 0 ? 1 : 0;

function runUvu(target) {
  // A single file runs as its folder with a pattern naming only it.
  const file = target.endsWith('.test.ts');
  const dir = file ? path.dirname(target) : target;
  const pattern = file ? `^${path.basename(target).replace(/\./g, '\\.')}$` : '\\.test\\.ts$';
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'node_modules/uvu/bin.js'), dir, pattern],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    let text = '';
    let hung;
    const overall = setTimeout(() => {
      process.stdout.write(`\ntests: ${target} still running after ${TARGET_TIMEOUT_MS / 60_000} minutes; killed\n`);
      child.kill('SIGKILL');
    }, TARGET_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      text += chunk.toString();
      // uvu ends with its summary; a process still alive long after holds a handle a test left open.
      if (hung === undefined && /Duration:\s+[\d.]+m?s/.test(text.replace(/\x1b\[[0-9;]*m/g, ''))) {
        hung = setTimeout(() => {
          process.stdout.write(`\ntests: ${target} did not exit ${EXIT_GRACE_MS / 1000} s after its summary (a handle left open); killed\n`);
          child.kill('SIGKILL');
        }, EXIT_GRACE_MS);
      }
    });
    child.on('close', (code) => {
      clearTimeout(hung);
      clearTimeout(overall);
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      total += count(plain, 'Total');
      passed += count(plain, 'Passed');
      skipped += count(plain, 'Skipped');
      // Without its summary uvu ended early: a test awaited something nothing would ever settle.
      if (!/^\s*Total:/m.test(plain)) {
        process.stdout.write(`\ntests: ${target} ended without uvu's summary (a test never finished); counted as failed\n`);
        resolve(1);
        return;
      }
      resolve(code ?? 1);
    });
  });
}

function count(text, label) {
  const match = [...text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))].pop();
  return match ? Number(match[1]) : 0;
}
