/**
 * docs/generated/runbook-coverage.md: for every runbook ID, the source files that implement
 * it (their TSDoc `@see` or a `runbookRef` names it), the test files that name it, and the
 * policy controls that judge it. An ID with no code or no test is a gap, and every gap
 * must carry an explanation here (the test of the generated docs enforces it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RUNBOOK, RUNBOOK_IDS, type RunbookId } from '@hotfix-release/evidence';
import { CONTROL_CATALOG } from '@hotfix-release/policy';
import { cell, runbookIdsIn, runbookLink, trackedFiles } from './ts-source.js';

/**
 * Why an ID has no code or no test of its own. Keep this honest: an entry here is a claim
 * about what the code does, checked by a reader, not by the generator.
 */
export const GAP_EXPLANATIONS: Partial<Record<RunbookId, string>> = {
  U1:
    'Scope statement, not a step: it defines what the tools are for (ONE merged hotfix to staging, outside the cut-off). ' +
    'It is embodied by `promoteHotfix` taking exactly one MR, and by preflight refusing an unmerged MR (D1).',
  U2:
    'Scope statement, not a step: what the runbook is NOT for. The tools enforce its concrete part, never sending the ' +
    'cut-off action (S5, E2, E3) and warning when release lags the default branch so far that a cut-off looks intended ' +
    '(D2, `release-far-behind`); "services with their own staging process" is a human decision before running them.',
};

/** One row of the coverage table. */
export interface CoverageRow {
  readonly id: RunbookId;
  readonly summary: string;
  readonly code: readonly string[];
  readonly tests: readonly string[];
  /** Tests of a module that implements the ID (same file name) which do not name the ID themselves. */
  readonly moduleTests: readonly string[];
  readonly controls: readonly string[];
  readonly gap: boolean;
  readonly explanation: string | undefined;
}

function listTs(dir: string, out: string[] = []): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === '__snapshots__') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) listTs(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isTest = (p: string) => p.endsWith('.test.ts');

/** The runbook IDs a source file claims: `@see` lines and `runbookRef` values. */
export function claimedIds(text: string): RunbookId[] {
  const ids = new Set<RunbookId>();
  for (const m of text.matchAll(/@see\b([^\n]*)/g)) for (const id of runbookIdsIn(m[1] ?? '')) ids.add(id);
  for (const m of text.matchAll(/runbookRef\??:\s*['"`]([^'"`]+)['"`]/g))
    for (const id of runbookIdsIn(m[1] ?? '')) ids.add(id);
  return [...ids];
}

/** Computes the coverage rows from the files under packages/. */
export function coverageRows(root: string): CoverageRow[] {
  const packages = join(root, 'packages');
  const tracked = trackedFiles(root);
  const files = readdirSync(packages, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => [...listTs(join(packages, d.name, 'src')), ...listTs(join(packages, d.name, 'test'))])
    .map((p) => relative(root, p).replaceAll('\\', '/'))
    .filter((p) => !tracked || tracked.has(p))
    .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const testPaths = files.filter((f) => isTest(f.path)).map((f) => f.path);
  const code = new Map<RunbookId, string[]>();
  const tests = new Map<RunbookId, string[]>();
  for (const f of files) {
    if (isTest(f.path)) {
      for (const id of RUNBOOK_IDS) if (new RegExp(`\\b${id}\\b`).test(f.text)) add(tests, id, f.path);
    } else if (f.path.includes('/src/')) {
      for (const id of claimedIds(f.text)) add(code, id, f.path);
    }
  }
  return RUNBOOK.map((entry) => {
    const controls = CONTROL_CATALOG.filter((c) => c.runbookRef === entry.id).map((c) => c.id);
    const c = code.get(entry.id) ?? [];
    const t = tests.get(entry.id) ?? [];
    const beside = c
      .flatMap((file) => {
        const stem = file.replace(/\.ts$/, '');
        return testPaths.filter((p) => p === `${stem}.test.ts` || (p.startsWith(`${stem}.`) && p.endsWith('.test.ts')));
      })
      .filter((p) => !t.includes(p));
    const gap = c.length === 0 || t.length + beside.length === 0;
    return {
      id: entry.id,
      summary: entry.summary,
      code: c,
      tests: t,
      moduleTests: [...new Set(beside)],
      controls,
      gap,
      explanation: GAP_EXPLANATIONS[entry.id],
    };
  });
}

function add(map: Map<RunbookId, string[]>, id: RunbookId, path: string): void {
  const list = map.get(id) ?? [];
  if (!list.includes(path)) list.push(path);
  map.set(id, list);
}

const files = (list: readonly string[], marked: readonly string[] = []) =>
  list.length + marked.length === 0
    ? '–'
    : [
        ...list.map((p) => `\`${p.replace(/^packages\//, '')}\``),
        ...marked.map((p) => `\`${p.replace(/^packages\//, '')}\` †`),
      ].join('<br>');

/** Renders docs/generated/runbook-coverage.md. */
export function runbookCoveragePage(root: string): string {
  const rows = coverageRows(root);
  const ranges = CONTROL_CATALOG.filter((c) => /[–-]/.test(c.runbookRef));
  const gaps = rows.filter((r) => r.gap);
  const lines = [
    '---',
    'title: Runbook coverage',
    'group: Reference (generated)',
    '---',
    '',
    '# Runbook coverage',
    '',
    '<!-- Generated by `pnpm run docs:generate` (scripts/docs-generate.ts). Do not edit: a test fails when this file is stale. -->',
    '',
    'For every ID of the runbook "Staging Hotfix Release": the source files that implement it (their TSDoc `@see`',
    'or a `runbookRef` in them names it), the test files that name it (and, marked †, the tests beside a module that',
    'implements it, which exercise it without naming the ID), and the policy controls of',
    '`@hotfix-release/policy` whose `runbookRef` is that ID. Paths are relative to `packages/`. An ID with no code',
    'or no test is marked **gap** and explained below the table.',
    '',
    `${rows.length} IDs; ${rows.length - gaps.length} with code and tests; ${gaps.length} gap(s)${gaps.length ? `: ${gaps.map((g) => g.id).join(', ')}` : ''}.`,
    '',
    '| ID | requirement | code | tests | policy control | status |',
    '| -- | ----------- | ---- | ----- | -------------- | ------ |',
    ...rows.map(
      (r) =>
        `| **${runbookLink(r.id)}** | ${cell(r.summary)} | ${files(r.code)} | ${files(r.tests, r.moduleTests)} | ${r.controls.map((c) => `\`${c}\``).join(', ') || '–'} | ${r.gap ? `**gap** ([why](#${r.id.toLowerCase()}))` : 'covered'} |`,
    ),
    '',
    'Controls that cite a range rather than one ID (they judge the bundle as a whole or an ordering across steps):',
    '',
    ...ranges.map((c) => `- \`${c.id}\` (${c.runbookRef}): ${cell(c.title)}`),
    '',
    '## Gaps, explained',
    '',
  ];
  if (gaps.length === 0) lines.push('None: every ID has code and tests.', '');
  for (const g of gaps) {
    lines.push(`### ${g.id}`, '', g.explanation ?? '**Unexplained gap.**', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
