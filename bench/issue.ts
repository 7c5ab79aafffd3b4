/**
 * Issuing the complete ACK etcd set (CA, peer CA, server, client, one peer per
 * member) with the library and with the openssl CLI script next to this file,
 * for 3 and 7 members. Prints median times and the ratio openssl/library.
 *
 * Usage: node --import tsx bench/issue.ts [repetitions]   (default 7)
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Member } from '../src/cluster/types.js';
import { issueEtcdCertificateSet, parseValidity } from '../src/pki/index.js';
import { generateRsaKey } from '../src/pki/keys.js';

const repetitions = Number(process.argv[2] ?? 7);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'openssl-issue.sh');
const validityMs = parseValidity('50y');

function members(count: number): Member[] {
  return Array.from({ length: count }, (_, i) => {
    const ip = `192.168.0.${i + 1}`;
    return { name: `${ip}-name-${i + 1}`, ip, peerUrls: [], clientUrls: [] };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Wall-clock and CPU time (user + system, all threads or all child processes) of one run. */
interface Sample {
  wall: number;
  cpu: number;
}

async function library(count: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await issueEtcdCertificateSet({ members: members(count), validityMs });
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

async function opensslScript(count: number): Promise<Sample> {
  const dir = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-bench-'));
  try {
    // bash's `times` prints the CPU time of every process it waited for, openssl included.
    const measure = 'bash "$0" "$1" "$2"; times';
    const start = performance.now();
    const { stdout } = await execa('bash', ['-c', measure, script, dir, String(count)]);
    const wall = performance.now() - start;
    const children = stdout.trim().split('\n').pop() ?? '';
    const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)]
      .map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000)
      .reduce((a, b) => a + b, 0);
    return { wall, cpu };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Key generation alone, one after another and all at once, to show where the time goes. */
async function keygen(keys: number): Promise<{ sequential: number; parallel: number }> {
  let start = performance.now();
  for (let i = 0; i < keys; i += 1) await generateRsaKey();
  const sequential = performance.now() - start;
  start = performance.now();
  await Promise.all(Array.from({ length: keys }, () => generateRsaKey()));
  return { sequential, parallel: performance.now() - start };
}

const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;

console.log(
  `node ${process.version}, ${availableParallelism()} CPUs, UV_THREADPOOL_SIZE=${process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)'}`,
);
console.log(`median of ${repetitions} runs each, after one untimed warm-up run\n`);

function report(label: string, samples: Sample[]): void {
  const walls = samples.map((x) => x.wall);
  const range = `min ${ms(Math.min(...walls))}, max ${ms(Math.max(...walls))}`;
  const cpu = median(samples.map((x) => x.cpu));
  console.log(`  ${label.padEnd(22)} wall ${ms(median(walls))} (${range})  cpu ${ms(cpu)}`);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average before: ${load()}`);

for (const count of [3, 7]) {
  const certificates = count + 4;
  await library(count);
  await opensslScript(count);

  const lib: Sample[] = [];
  const cli: Sample[] = [];
  const seq: number[] = [];
  const par: number[] = [];
  for (let i = 0; i < repetitions; i += 1) {
    lib.push(await library(count));
    cli.push(await opensslScript(count));
    const keys = await keygen(certificates);
    seq.push(keys.sequential);
    par.push(keys.parallel);
  }

  const ratio = (pick: (x: Sample) => number) =>
    (median(cli.map(pick)) / median(lib.map(pick))).toFixed(2);
  console.log(`\n${count} members (${certificates} certificates and keys), medians:`);
  report('library (etcd-rotate)', lib);
  report('openssl CLI script', cli);
  console.log(
    `  ratio openssl/library  wall ${ratio((x) => x.wall)} x, cpu ${ratio((x) => x.cpu)} x`,
  );
  console.log(`  RSA keygen alone: sequential ${ms(median(seq))}, parallel ${ms(median(par))}`);
}

console.log(`\nload average after: ${load()}`);
