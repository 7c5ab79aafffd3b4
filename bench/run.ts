/**
 * Every benchmark of the project, one after another (`npm run bench`).
 * Usage: node --import tsx bench/run.ts [repetitions]
 */

await import('./issue.js');
console.log('');
await import('./sign.js');
