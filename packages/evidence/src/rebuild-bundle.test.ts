import { describe, expect, it } from 'vitest';
import type { JournalEntry, JournalHeader } from './journal-schema.js';
import { rebuildBundle } from './rebuild-bundle.js';

const header = {
  targets: [{ project: 'g/portal', hotfix: 'g/portal!7', dependsOn: ['g/api'] }],
} as unknown as JournalHeader;
const blocked = {
  step: 'blocked',
  target: 'g/portal',
  record: { observedAt: '2026-12-07T10:00:00.000Z', reason: 'g/api pending (D4)', blockedBy: ['g/api'] },
} as unknown as JournalEntry;
const failed = { step: 'outcome', target: 'g/portal', record: { outcome: 'failed' } } as unknown as JournalEntry;
const pick = {
  step: 'pick',
  target: 'g/portal',
  record: { headBefore: 'a', headAfter: 'b' },
} as unknown as JournalEntry;

describe('rebuildBundle: blocked targets (D4)', () => {
  it('keeps the blocked record of a target that never ran', () => {
    const t = rebuildBundle(header, [blocked, failed]).targets[0];
    expect(t?.blocked?.blockedBy).toEqual(['g/api']);
    expect(t?.outcome).toBe('failed');
  });

  it('drops it once a resumed run went on to pick that target', () => {
    const t = rebuildBundle(header, [blocked, failed, pick]).targets[0];
    expect(t?.blocked).toBeUndefined();
    expect(t?.pick).toBeDefined();
  });
});
