import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceJournal, type JournalHeader, SCHEMA_VERSION } from '@hotfix-release/evidence';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { CONTINUE, createRunner, defineStep, noAdoption, runSteps, stop } from './_runner.js';

const T0 = Date.parse('2031-01-02T03:04:05.000Z');
const clock: Clock = { now: () => T0, sleep: async () => {} };
const TARGET = 'evenergi/charging-api';
const header: JournalHeader = {
  schemaVersion: SCHEMA_VERSION,
  tool: { name: '@hotfix-release/sdk', version: '0.0.0' },
  operator: { username: 'root' },
  gitlabUrl: 'https://gitlab.example.com',
  startedAt: new Date(T0).toISOString(),
  settings: { orchestrationProject: 'evenergi/develop', releaseBranch: 'release', environment: 'staging', label: 'L' },
  hotfixes: [
    {
      mr: {
        project: TARGET,
        iid: 7,
        webUrl: 'https://gitlab.example.com/evenergi/charging-api/-/merge_requests/7',
        mergeMethod: 'merge',
        mergedAt: { absent: true, reason: 'GitLab reported no merged_at for the merge request' },
      },
      commits: [{ sha: 'a'.repeat(40), title: 'fix' }],
      governed: true,
    },
  ],
  targets: [{ project: TARGET, hotfix: `${TARGET}!7` }],
};

/** A step that journals its target's outcome (any entry will do). */
const journaling = defineStep<{ readonly ran: string[] }, undefined>({
  name: 'journaling',
  runbookIds: ['E1'],
  adopt: noAdoption,
  async run(ctx) {
    ctx.ran.push('journaling');
    await runnerUnderTest.journal({ step: 'outcome', target: TARGET, record: { outcome: 'pending' } });
    return CONTINUE;
  },
});
let runnerUnderTest: ReturnType<typeof createRunner>;

describe(runSteps.name, () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('returns an error stop carrying the typed evidence error when the journal cannot be written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'runner-'));
    const folder = join(dir, 'evidence');
    await mkdir(folder);
    const journal = (await EvidenceJournal.create(join(folder, 'evidence.journal.json'), header))._unsafeUnwrap();
    // The journal's folder disappears under the run: every append fails on disk.
    await rm(folder, { recursive: true, force: true });
    runnerUnderTest = createRunner({ clock, journal, hooks: {}, onEvent: undefined, signal: undefined });
    const ctx = { ran: [] as string[] };
    const stopped = await runSteps(runnerUnderTest, [journaling], ctx, undefined);
    expect(ctx.ran).toEqual(['journaling']);
    expect(stopped).toMatchObject({ reason: 'error', outcome: 'failed', error: { code: 'evidence' } });
  });

  it('checks the abort signal before each step and stamps events with the injected clock', async () => {
    const events: unknown[] = [];
    const ac = new AbortController();
    runnerUnderTest = createRunner({
      clock,
      journal: undefined,
      hooks: {},
      onEvent: (e) => events.push(e),
      signal: ac.signal,
    });
    const first = defineStep<{ readonly ran: string[] }, undefined>({
      name: 'first',
      runbookIds: ['S2'],
      adopt: noAdoption,
      async run(ctx) {
        ctx.ran.push('first');
        runnerUnderTest.progress('first', 'done', 'ok', TARGET);
        ac.abort();
        return CONTINUE;
      },
    });
    const ctx = { ran: [] as string[] };
    const stopped = await runSteps(runnerUnderTest, [first, journaling], ctx, undefined);
    expect(ctx.ran).toEqual(['first']);
    expect(stopped).toMatchObject({ reason: 'aborted', outcome: 'pending' });
    expect(events).toEqual([
      { type: 'step', at: '2031-01-02T03:04:05.000Z', step: 'first', status: 'done', message: 'ok', target: TARGET },
    ]);
  });

  it('hands each step what it adopts from the previous record, and stops at the first stop', async () => {
    runnerUnderTest = createRunner({ clock, journal: undefined, hooks: {}, onEvent: undefined, signal: undefined });
    const seen: unknown[] = [];
    const adopting = defineStep<{ readonly ran: string[] }, string | undefined>({
      name: 'adopting',
      runbookIds: ['S4'],
      adopt: (previous) => previous?.outcome,
      async run(ctx, adopted) {
        ctx.ran.push('adopting');
        seen.push(adopted);
        return stop('drift', 'failed', 'release moved (R3)');
      },
    });
    const ctx = { ran: [] as string[] };
    const previous = {
      project: TARGET,
      hotfix: `${TARGET}!7`,
      outcome: 'pending' as const,
      conflicts: [],
      smokeChecks: [],
      rollbacks: [],
    };
    const stopped = await runSteps(runnerUnderTest, [adopting, journaling], ctx, previous);
    expect(seen).toEqual(['pending']);
    expect(ctx.ran).toEqual(['adopting']);
    expect(stopped).toEqual({ reason: 'drift', outcome: 'failed', message: 'release moved (R3)' });
  });
});
