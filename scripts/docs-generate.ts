/**
 * `pnpm run docs:generate`: writes docs/generated/ from the code (error and exit codes,
 * the evidence format, the runbook coverage table). `--check` writes nothing and exits 1
 * when a committed file is stale, naming it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocs } from './docs-gen/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const files = await generateDocs(root);
let stale = 0;
for (const [path, text] of files) {
  const abs = join(root, path);
  const current = await readFile(abs, 'utf8').catch(() => undefined);
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${path} (run pnpm run docs:generate)`);
    stale++;
    continue;
  }
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, text);
  console.log(`wrote ${path}`);
}
if (check && stale === 0) console.log(`docs/generated is up to date (${files.size} files)`);
process.exitCode = stale ? 1 : 0;
