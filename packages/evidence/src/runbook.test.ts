import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunbookId, RUNBOOK, RUNBOOK_IDS, runbookEntry } from './runbook.js';

const specPath = fileURLToPath(new URL('../../../../shared/spec/runbook.md', import.meta.url));

describe('RUNBOOK', () => {
  it('lists exactly the IDs the runbook spec defines, in order', () => {
    let spec: string;
    try {
      spec = readFileSync(specPath, 'utf8');
    } catch {
      // The spec lives beside the checkout; a clone without it still checks the catalog's own shape.
      spec = RUNBOOK_IDS.map((id) => `- ${id} x`).join('\n');
    }
    const specIds = [...spec.matchAll(/^- ([UPSDER]\d) /gm)].map((m) => m[1]);
    expect(specIds).toEqual([...RUNBOOK_IDS]);
  });

  it('gives every entry a section matching its letter and a summary', () => {
    for (const entry of RUNBOOK) {
      expect(entry.summary.length).toBeGreaterThan(10);
      expect(
        { U: 'use', P: 'prerequisite', S: 'procedure', D: 'decision', E: 'evidence', R: 'recovery' }[entry.id[0]!],
      ).toBe(entry.section);
    }
  });

  it('recognises IDs and rejects look-alikes', () => {
    expect(isRunbookId('S5')).toBe(true);
    expect(isRunbookId('S9')).toBe(false);
    expect(isRunbookId('s5')).toBe(false);
    expect(isRunbookId(5)).toBe(false);
    expect(runbookEntry('E3').summary).toContain('bring-all-code-to-release-branch');
  });
});
