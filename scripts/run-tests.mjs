// Runs one vitest tier once and prints the plain closing line "N passed, N failed" that CI reads.
// `--tier NAME` names the tier (default "unit", the README's `pnpm test`); its counts are kept in
// .test-results/NAME.json so `node scripts/test-summary.mjs` can print the total of every tier last.
// Every other argument goes to vitest (e.g. `--config vitest.terminal.config.ts`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const at = argv.indexOf('--tier');
const tier = at >= 0 ? argv[at + 1] : 'unit';
const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
const out = `.vitest-${tier}.json`;
rmSync(out, { force: true });
const args = ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...rest];
const run = spawnSync('pnpm', args, { stdio: 'inherit' });
let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(run.status || 1);
}
const skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
const counts = { passed: summary.numPassedTests, failed: summary.numFailedTests, skipped };
const line = `${counts.passed} passed, ${counts.failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
console.log(`${tier}: ${line}`);
mkdirSync('.test-results', { recursive: true });
writeFileSync(`.test-results/${tier}.json`, `${JSON.stringify(counts)}\n`);
if (tier === 'unit') writeFileSync('.test-summary', `${line}\n`);
if (summary.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(run.status ?? 1);
