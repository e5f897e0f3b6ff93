/**
 * `pnpm reliability`: the full reliability matrix (issue 12). Every GitLab route a
 * promotion uses × every fault kind, each a full promotion against the simulator, then
 * one table: scenarios run, passed, duplicate side effects seen (must be 0), evidence
 * files valid, secret leaks found (must be 0). `--routes N` bounds the rows for a quick
 * look; the bounded version runs in CI as packages/sdk/test/reliability/*.test.ts.
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS, matrix, promotionRoutes, runFaultCase } from '../packages/sdk/test/reliability/fault-matrix.js';

const { values } = parseArgs({ options: { routes: { type: 'string' }, json: { type: 'boolean' } } });
const routes = await promotionRoutes();
const rows = values.routes ? routes.slice(0, Number(values.routes)) : routes;
const cases = matrix(rows, FAULT_KINDS);
console.log(`${rows.length} routes × ${FAULT_KINDS.length} fault kinds = ${cases.length} scenarios`);
const results = [];
for (const c of cases) {
  const r = await runFaultCase(c);
  results.push(r);
  const ok = r.outcome !== 'failed' && r.duplicates.length === 0 && r.evidenceValid && r.leaks === 0;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${r.outcome.padEnd(8)} ${String(r.ms).padStart(6)} ms  ${c.label}${r.stoppedWith ? `  (stopped: ${r.stoppedWith})` : ''}${r.detail ? `  ${r.detail}` : ''}`,
  );
}
const summary = {
  scenarios: results.length,
  passed: results.filter((r) => r.outcome !== 'failed' && r.duplicates.length === 0 && r.evidenceValid && r.leaks === 0)
    .length,
  promotedDirectly: results.filter((r) => r.outcome === 'promoted').length,
  resumedAfterTypedStop: results.filter((r) => r.outcome === 'resumed').length,
  duplicateSideEffects: results.reduce((n, r) => n + r.duplicates.length, 0),
  evidenceFilesValid: results.filter((r) => r.evidenceValid).length,
  leaksFound: results.reduce((n, r) => n + r.leaks, 0),
};
console.table([summary]);
if (values.json) console.log(JSON.stringify({ summary, results }, null, 2));
process.exit(
  summary.passed === summary.scenarios && summary.duplicateSideEffects === 0 && summary.leaksFound === 0 ? 0 : 1,
);
