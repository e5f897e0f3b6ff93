/**
 * Renders a benchmark's JSON (bench/out/<name>.json) as a Markdown table and writes it into
 * bench/README.md between `<!-- bench:<key> -->` and `<!-- /bench:<key> -->`, so the README's
 * tables are always the output of the commands it names. `pnpm bench <name>` calls it after each
 * run; `tsx bench/report.ts bench/out/<file>.json` re-renders one saved result.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** What run.ts writes. */
export interface BenchOutput {
  readonly name: string;
  readonly at: string;
  readonly rows: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}

const README = new URL('./README.md', import.meta.url);

function table(rows: readonly Record<string, unknown>[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v).replace(/\|/g, '\\|'));
  return [
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

/** The README key and Markdown for one output. */
export function render(out: BenchOutput, key: string): string {
  const cpus = out.cpus === undefined ? '' : `, ${out.cpus} CPUs`;
  const load = Array.isArray(out.loadavgBefore)
    ? `, load average before ${(out.loadavgBefore as number[]).map((x) => x.toFixed(1)).join('/')}`
    : '';
  const runs = out.runs === undefined ? '' : `, medians of ${out.runs} runs after a warm-up`;
  return `_\`${key}\`: measured ${out.at}${cpus}${load}${runs}._\n\n${table(out.rows)}`;
}

/** Replaces (or appends) the section `key` of bench/README.md. */
export async function updateReadme(key: string, markdown: string): Promise<void> {
  let text = '';
  try {
    text = await readFile(README, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const open = `<!-- bench:${key} -->`;
  const close = `<!-- /bench:${key} -->`;
  const block = `${open}\n${markdown}\n${close}`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  text =
    a >= 0 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + close.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(README, text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const out = JSON.parse(await readFile(file, 'utf8')) as BenchOutput;
    const key = file.replace(/^.*\//, '').replace(/\.json$/, '');
    await updateReadme(key, render(out, key));
    console.log(`bench/README.md: ${key}`);
  }
}
