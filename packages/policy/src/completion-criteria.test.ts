import { describe, expect, it } from 'vitest';
import { completionCriteria } from './completion-criteria.js';

describe('completionCriteria', () => {
  it('returns E1 to E8 in runbook order', () => {
    expect(completionCriteria().map((c) => c.id)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8']);
    expect(completionCriteria()[2]?.summary).toContain('bring-all-code-to-release-branch');
  });
});
