import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNBOOK_IDS } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../scripts/docs-gen/index.js';
import { claimedIds, coverageRows } from '../scripts/docs-gen/runbook-coverage.js';
import { runbookIdsIn } from '../scripts/docs-gen/ts-source.js';

const root = join(import.meta.dirname, '..');

describe('generated docs', () => {
  it('docs/generated is what `pnpm run docs:generate` writes (run it when this fails)', async () => {
    const files = await generateDocs(root);
    for (const [path, text] of files) {
      const committed = await readFile(join(root, path), 'utf8').catch(() => '(missing)');
      expect(committed, `${path} is stale: run pnpm run docs:generate and commit it`).toBe(text);
    }
  });

  it('lists every runbook ID once, and every gap has an explanation', () => {
    const rows = coverageRows(root);
    expect(rows.map((r) => r.id)).toEqual([...RUNBOOK_IDS]);
    for (const r of rows.filter((x) => x.gap)) expect(r.explanation, `${r.id} is an unexplained gap`).toBeTruthy();
  });

  it('expands runbook ranges and reads @see lines and runbookRef values', () => {
    expect(runbookIdsIn('@see E1–E3, D4 and S2-S3')).toEqual(['S2', 'S3', 'D4', 'E1', 'E2', 'E3']);
    expect(runbookIdsIn('E9, Q1, S2–E3')).toEqual([]);
    expect(claimedIds(" * @see S2 (pick)\n runbookRef: 'R3',\n other: 'P1'")).toEqual(['S2', 'R3']);
  });
});
