/**
 * Every benchmark of the project, one after another (`npm run bench`).
 * Usage: node --import tsx bench/run.ts [repetitions of the issuing bench]
 * The rotation bench (bench/rotation.ts) needs root and takes minutes; run it on its own.
 */

await import('./issue.js');
console.log('');
await import('./sign.js');
