/**
 * `pnpm bench <name>`: runs one benchmark, prints a table and writes JSON to bench/out/.
 * Each benchmark reports ratios against a baseline measured in the same run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { benchmarks } from './registry.js';

const name = process.argv[2];
const bench = name ? benchmarks[name] : undefined;
if (!bench) {
  console.error(`usage: pnpm bench <name>\nknown benchmarks: ${Object.keys(benchmarks).join(', ') || '(none)'}`);
  process.exit(64);
}
const result = await bench.run(process.argv.slice(3));
console.table(result.rows);
await mkdir(new URL('./out/', import.meta.url), { recursive: true });
const file = new URL(`./out/${name}.json`, import.meta.url);
await writeFile(file, `${JSON.stringify({ name, at: new Date().toISOString(), ...result }, null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
