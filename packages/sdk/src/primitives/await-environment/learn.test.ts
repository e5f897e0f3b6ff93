import { describe, expect, it } from 'vitest';
import type { GitLabDeployment } from '../../_internal/schemas.js';
import { deploymentHistory, expectedFinishAt } from './learn.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function deployment(
  status: string,
  created: number,
  updated: number,
  job?: { started?: number | null; finished?: number | null },
): GitLabDeployment {
  return {
    id: created,
    iid: created,
    ref: 'release',
    sha: 'a'.repeat(40),
    status,
    created_at: iso(created),
    updated_at: iso(updated),
    environment: { id: 1, name: 'staging' },
    deployable: job
      ? {
          id: 9,
          name: 'deploy-staging',
          status,
          web_url: 'https://gitlab.example/j/9',
          pipeline: { id: 3 },
          ...(job.started !== undefined ? { started_at: job.started === null ? null : iso(job.started) } : {}),
          ...(job.finished !== undefined ? { finished_at: job.finished === null ? null : iso(job.finished) } : {}),
        }
      : null,
  } as GitLabDeployment;
}

describe('learning the expected finish of a deployment', () => {
  it("anchors the recent job durations at our job's started_at, shortest not yet passed first", () => {
    const h = deploymentHistory([
      deployment('success', 0, 700_000, { started: 10_000, finished: 610_000 }),
      deployment('success', 0, 700_000, { started: 10_000, finished: 550_000 }),
      deployment('success', 0, 700_000, { started: 10_000, finished: 10_000_000_000 }),
      deployment('failed', 0, 5_000, { started: 0, finished: 5_000 }),
    ]);
    expect(h.job).toEqual([600_000, 540_000]);
    const running = deployment('running', 1_000_000, 1_000_000, { started: 1_005_000 });
    expect(expectedFinishAt(h, running, T0 + 1_010_000)).toBe(T0 + 1_005_000 + 540_000);
    // 540 s (and its tolerance, a tenth of it) passed: the next kind of run, 600 s.
    expect(expectedFinishAt(h, running, T0 + 1_005_000 + 600_000)).toBe(T0 + 1_005_000 + 600_000);
    // Past every sample: the longest stays the expectation (the waiter's gaps then grow).
    expect(expectedFinishAt(h, running, T0 + 1_005_000 + 900_000)).toBe(T0 + 1_005_000 + 600_000);
  });

  it('moves past a short kind of run (a pipeline that used to take 30 s) to the long one', () => {
    const h = { job: [30_000, 30_000, 30_000, 30_000, 600_000], deployment: [] };
    const running = deployment('running', 0, 0, { started: 0 });
    expect(expectedFinishAt(h, running, T0 + 10_000)).toBe(T0 + 30_000);
    expect(expectedFinishAt(h, running, T0 + 35_000, 4_000)).toBe(T0 + 600_000);
  });

  it('falls back to created_at → updated_at when the job times are missing', () => {
    const h = deploymentHistory([deployment('success', 0, 620_000, {}), deployment('success', 0, 640_000)]);
    expect(h.job).toEqual([]);
    expect(expectedFinishAt(h, deployment('running', 1_000_000, 1_000_000, {}), T0)).toBe(T0 + 1_000_000 + 620_000);
  });

  it('knows nothing without history or without an anchor: the wait then polls as before', () => {
    const running = deployment('running', 1_000, 1_000, { started: null });
    expect(expectedFinishAt(undefined, running, T0)).toBeUndefined();
    expect(expectedFinishAt(deploymentHistory([]), running, T0)).toBeUndefined();
    const onlyJobs = { job: [600_000], deployment: [] };
    expect(expectedFinishAt(onlyJobs, running, T0)).toBeUndefined();
    const broken = { ...running, created_at: 'not a date' } as GitLabDeployment;
    expect(expectedFinishAt({ job: [], deployment: [600_000] }, broken, T0)).toBeUndefined();
  });
});
