import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, matrix, runFaultCase } from './fault-matrix.js';

/**
 * The bounded fault matrix CI runs: every side-effecting step of a promotion under the
 * faults that can duplicate a side effect (lost responses, gateway errors) and two reads
 * under malformed answers. `pnpm reliability` runs every route × every fault kind.
 */
const SIDE_EFFECT_ROUTES = [
  { method: 'POST', route: '/projects/:id/repository/commits/:sha/cherry_pick' },
  { method: 'POST', route: '/projects/:id/pipeline' },
  { method: 'POST', route: '/projects/:id/merge_requests/:merge_request_iid/notes' },
  { method: 'PUT', route: '/projects/:id/merge_requests/:merge_request_iid' },
];
const kinds = FAULT_KINDS.filter((k) => ['drop after', '502 html', '429+Retry-After'].includes(k.name));
const reads = matrix(
  [
    { method: 'GET', route: '/projects/:id/pipelines/:pipeline_id/bridges' },
    { method: 'GET', route: '/projects/:id/deployments' },
  ],
  FAULT_KINDS.filter((k) => ['malformed JSON', 'drop before'].includes(k.name)),
);

describe('fault matrix (bounded)', () => {
  for (const c of [...matrix(SIDE_EFFECT_ROUTES, kinds), ...reads]) {
    it(`finishes or resumes with no duplicate side effect: ${c.label}`, async () => {
      const r = await runFaultCase(c);
      expect({ label: r.label, detail: r.detail, outcome: r.outcome === 'failed' ? 'failed' : 'ok' }).toEqual({
        label: c.label,
        detail: undefined,
        outcome: 'ok',
      });
      expect(r.duplicates).toEqual([]);
      expect(r.evidenceValid).toBe(true);
      expect(r.leaks).toBe(0);
    }, 60_000);
  }
});
