// Runs the whole vitest suite once and prints the plain closing line
// "N passed, N failed" that CI reads. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = '.vitest.json';
rmSync(out, { force: true });
const args = [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync('pnpm', args, { stdio: 'inherit' });
let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(run.status || 1);
}
const skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
const line = `${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
console.log(line);
writeFileSync('.test-summary', `${line}\n`);
if (summary.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(run.status ?? 1);
