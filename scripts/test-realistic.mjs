// Runs the end-to-end suites (SDK, CLI, examples) against the simulator's realistic mode
// (HOTFIX_SIM_MODE=realistic) and prints the closing line
// "realistic mode: N passed (M expected failures), N failed". A suite belongs here when it
// starts its simulator through the shared harness (test-support/sim-mode.ts, directly or through
// the SDK's release world or the CLI's world). Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const EXPECTED_FAILURE_MARK = 'expected to fail in realistic mode';
const HARNESS = /release-world|support\/world|test-support\/sim-mode/;
const roots = ['packages', 'examples'];

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts') && HARNESS.test(readFileSync(path, 'utf8'))) out.push(relative('.', path));
  }
  return out;
}

const files = roots.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error('no end-to-end suite found');
  process.exit(1);
}
console.log(`realistic mode: ${files.length} end-to-end suites\n${files.map((f) => `  ${f}`).join('\n')}`);
const out = '.vitest-realistic.json';
rmSync(out, { force: true });
const args = ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`];
const run = spawnSync('pnpm', [...args, ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
  env: { ...process.env, HOTFIX_SIM_MODE: 'realistic' },
});
let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.log('realistic mode: 0 passed, 1 failed');
  process.exit(run.status || 1);
}
const results = summary.testResults.flatMap((f) => f.assertionResults);
const expected = results.filter((r) => r.status === 'passed' && r.title.includes(EXPECTED_FAILURE_MARK)).length;
const skipped = (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
const line = `realistic mode: ${summary.numPassedTests} passed (${expected} expected failures), ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
console.log(line);
writeFileSync('.test-realistic-summary', `${line}\n`);
// For scripts/test-summary.mjs, which prints every tier's counts and their total last.
mkdirSync('.test-results', { recursive: true });
writeFileSync(
  '.test-results/realistic.json',
  `${JSON.stringify({ passed: summary.numPassedTests, failed: summary.numFailedTests, skipped, expectedFailures: expected })}\n`,
);
if (summary.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(run.status ?? 1);
