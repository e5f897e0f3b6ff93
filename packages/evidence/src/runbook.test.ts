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

/** Every `- <a id="s4"></a>**S4** …` item of docs/runbook.md, with the `## ` section it sits under. */
function documentedIds(markdown: string): { id: string; anchor: string; section: string | undefined }[] {
  const out: { id: string; anchor: string; section: string | undefined }[] = [];
  let section: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = SECTION_HEADINGS[heading[1]!];
    const item = /^- <a id="([^"]+)"><\/a>\*\*([A-Z]\d+)\*\* /.exec(line);
    if (item) out.push({ anchor: item[1]!, id: item[2]!, section });
  }
  return out;
}

describe('RUNBOOK', () => {
  it('lists exactly the IDs docs/runbook.md defines, in order, each in its section and with its anchor', () => {
    const documented = documentedIds(readFileSync(docPath, 'utf8'));
    expect(documented.map((d) => d.id)).toEqual([...RUNBOOK_IDS]);
    for (const d of documented) {
      expect(d.anchor).toBe(d.id.toLowerCase());
      expect(d.section).toBe(runbookEntry(d.id as RunbookId).section);
    }
  });

  it('finds a missing, renamed or misplaced ID in a runbook document', () => {
    const doc = readFileSync(docPath, 'utf8');
    const withoutS5 = doc.replace(/^- <a id="s5"><\/a>\*\*S5\*\* .*$/m, '- S5 (gone)');
    expect(documentedIds(withoutS5).map((d) => d.id)).not.toEqual([...RUNBOOK_IDS]);
    const wrongAnchor = documentedIds(doc.replace('<a id="e3">', '<a id="e4">'));
    expect(wrongAnchor.find((d) => d.id === 'E3')?.anchor).not.toBe('e3');
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
