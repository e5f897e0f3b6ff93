/**
 * `pnpm bench <name>`: runs one benchmark, prints a table and writes JSON to bench/out/.
 * Each benchmark reports ratios against a baseline measured in the same run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { benchmarks } from './registry.js';
import { render, updateReadme } from './report.js';

const name = process.argv[2] ?? '';
const bench = benchmarks[name];
if (!bench) {
  console.error(`usage: pnpm bench <name>\nknown benchmarks: ${Object.keys(benchmarks).join(', ') || '(none)'}`);
  process.exit(64);
}
const result = await bench.run(process.argv.slice(3));
console.table(result.rows);
await mkdir(new URL('./out/', import.meta.url), { recursive: true });
// One file (and one README table) per variant, e.g. cherry-pick-wan and cherry-pick-loopback.
const key = typeof result.variant === 'string' ? `${name}-${result.variant}` : name;
const file = new URL(`./out/${key}.json`, import.meta.url);
const output = { name, at: new Date().toISOString(), ...result };
await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
if (!process.argv.includes('--no-readme')) {
  await updateReadme(key, render(output, key));
  console.log(`updated bench/README.md (${key})`);
}
