/**
 * Long run of the merge oracle: thousands of seeded random picks and reverts, each compared
 * with native `git cherry-pick --no-commit` / `git revert --no-commit` + `git write-tree`.
 *
 *   npx tsx --conditions=@hotfix-release/source bench/merge-property.ts --cases 3000 --seed 1
 *
 * `--cases` counts generated repositories; each runs as a pick and as a revert. Exits 1 on any
 * wrong clean tree or unexplained mismatch.
 */
import { runOracle } from '../packages/sdk/test/support/oracle.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
};
const cases = arg('cases', 3000);
const seed = arg('seed', 1);
const chunk = 250;

const total = { cases: 0, sameTree: 0, sameConflict: 0, unsupported: 0, nativeMs: 0, oursMs: 0 };
const reasons: Record<string, number> = {};
const failures: { index: number; mode: string; verdict: string; detail: string }[] = [];
const started = performance.now();
for (let offset = 0; offset < cases; offset += chunk) {
  const tally = await runOracle(seed, Math.min(chunk, cases - offset), offset);
  for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += tally[key];
  for (const [r, n] of Object.entries(tally.unsupportedReasons)) reasons[r] = (reasons[r] ?? 0) + n;
  failures.push(...tally.failures);
  process.stderr.write(`  ${Math.min(offset + chunk, cases)}/${cases} repositories\n`);
}
const pct = (n: number) => `${((100 * n) / Math.max(total.cases, 1)).toFixed(2)}%`;
console.log(`merge-property seed=${seed}: ${cases} repositories, ${total.cases} picks+reverts`);
console.table({
  'identical tree (git clean)': { count: total.sameTree, share: pct(total.sameTree) },
  'same conflicted paths': { count: total.sameConflict, share: pct(total.sameConflict) },
  'known-unsupported (we conflict, git differs)': { count: total.unsupported, share: pct(total.unsupported) },
  'failures (wrong clean tree or mismatch)': { count: failures.length, share: pct(failures.length) },
});
console.log('known-unsupported by reason:', reasons);
console.log(
  `time: native git ${(total.nativeMs / 1000).toFixed(1)} s, ours ${(total.oursMs / 1000).toFixed(1)} s ` +
    `(${(total.oursMs / Math.max(total.cases, 1)).toFixed(1)} ms per pick), wall ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of failures.slice(0, 20))
  console.log(`FAIL seed=${seed} case=${f.index} ${f.mode} ${f.verdict}: ${f.detail}`);
process.exitCode = failures.length > 0 ? 1 : 0;
