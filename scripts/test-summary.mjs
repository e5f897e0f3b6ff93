// Prints the total of every tier that ran (.test-results/*.json, written by run-tests.mjs) as the
// plain closing line "N passed, N failed" that CI reads, after one line per tier.
import { readdirSync, readFileSync } from 'node:fs';

const total = { passed: 0, failed: 0, skipped: 0 };
let tiers = 0;
for (const f of readdirSync('.test-results')
  .filter((n) => n.endsWith('.json'))
  .sort()) {
  const c = JSON.parse(readFileSync(`.test-results/${f}`, 'utf8'));
  console.log(
    `  ${f.replace(/\.json$/, '')}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`,
  );
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
  tiers++;
}
if (tiers === 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
