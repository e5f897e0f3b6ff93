import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunbookId, RUNBOOK, RUNBOOK_IDS, type RunbookEntry, type RunbookId, runbookEntry } from './runbook.js';

// The project's own statement of the runbook; this catalog must list exactly its IDs.
const docPath = fileURLToPath(new URL('../../../docs/runbook.md', import.meta.url));

const SECTION_HEADINGS: Record<string, RunbookEntry['section']> = {
  'When it applies': 'use',
  Prerequisites: 'prerequisite',
  Procedure: 'procedure',
  'Decision points and exceptions': 'decision',
  'Evidence: the promotion is complete only when all of these hold': 'evidence',
  'Rollback and recovery': 'recovery',
};

/**
 * Every `### S4` heading of docs/runbook.md, with the `## ` section it sits under and the text below it.
 * A heading that is the bare ID gets the anchor `#s4` (GitHub and typedoc slug it the same way).
 */
function documentedIds(markdown: string): { id: string; section: string | undefined; text: string }[] {
  const out: { id: string; section: string | undefined; text: string }[] = [];
  let section: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^(#{2,3}) (.+)$/.exec(line);
    if (heading?.[1] === '##') section = SECTION_HEADINGS[heading[2]!];
    else if (heading) out.push({ id: heading[2]!, section, text: '' });
    else if (out.length > 0 && !line.startsWith('#')) out[out.length - 1]!.text += `${line} `;
  }
  return out;
}

describe('RUNBOOK', () => {
  it('lists exactly the IDs docs/runbook.md defines, in order, each in its section and stated there', () => {
    const documented = documentedIds(readFileSync(docPath, 'utf8'));
    expect(documented.map((d) => d.id)).toEqual([...RUNBOOK_IDS]);
    for (const d of documented) {
      expect(d.section).toBe(runbookEntry(d.id as RunbookId).section);
      expect(d.text.trim().length).toBeGreaterThan(20);
    }
  });

  it('finds a missing, renamed or misplaced ID in a runbook document', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(documentedIds(doc.replace('### S5', '### S5 (withdrawn)')).map((d) => d.id)).not.toEqual([...RUNBOOK_IDS]);
    expect(documentedIds(doc.replace('### E3\n', '')).map((d) => d.id)).not.toEqual([...RUNBOOK_IDS]);
    const moved = documentedIds(doc.replace('## Rollback and recovery', '## Procedure'));
    expect(moved.find((d) => d.id === 'R1')?.section).not.toBe(runbookEntry('R1').section);
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
