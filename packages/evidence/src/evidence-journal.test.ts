import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildLegacyBundle, buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { EvidenceJournal } from './evidence-journal.js';
import type { JournalHeader } from './journal-schema.js';
import { parseBundle } from './parse-bundle.js';
import { readJournal } from './read-journal.js';

const fixture = buildPromotionBundle();
const { targets, promotedTargets: _p, digest: _d, completedAt: _c, ...headerRest } = fixture;
const header: JournalHeader = {
  ...headerRest,
  targets: targets.map((t) => ({ project: t.project, hotfix: t.hotfix })),
};
const [t0, t1] = targets;
if (!t0?.pick || !t0.pipeline || !t1) throw new Error('fixture');

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'evidence-journal-')), 'evidence.journal.json');
}

describe(EvidenceJournal.name, () => {
  it('resumes a journal an older version wrote (2.x header: one hotfix, target paths) as a 3.0.0 promotion', async () => {
    const path = tempPath();
    const legacy = buildLegacyBundle() as { targets: { project: string }[]; hotfix: unknown } & Record<string, unknown>;
    const { targets: old, promotedTargets: _pt, completedAt: _ca, ...rest } = legacy;
    const file = {
      format: 'hotfix-release-evidence-journal',
      version: 1,
      header: { ...rest, targets: old.map((t) => t.project) },
      entries: [{ seq: 1, at: '2026-11-30T01:01:00.000Z', step: 'pick', target: t0.project, record: t0.pick }],
    };
    await writeFile(path, JSON.stringify(file));
    const read = (await readJournal(path))._unsafeUnwrap();
    expect(read.bundle.schemaVersion).toBe('3.0.0');
    expect(read.bundle.hotfixes).toEqual([legacy.hotfix]);
    expect(read.bundle.targets.map((t) => [t.project, t.hotfix, t.pick !== undefined])).toEqual([
      [t0.project, `${t0.project}!42`, true],
      [t1.project, `${t0.project}!42`, false],
    ]);
    // It goes on where it stopped, under the new schema; the bundle it makes reads as 3.x.
    const j = (await EvidenceJournal.open(path))._unsafeUnwrap();
    (await j.append({ step: 'outcome', target: t1.project, record: { outcome: 'failed' } }))._unsafeUnwrap();
    expect(parseBundle(JSON.parse(JSON.stringify(j.state().bundle))).isOk()).toBe(true);
  });

  it('rebuilds a valid partial bundle after each appended step and names the completed steps', async () => {
    const path = tempPath();
    const created = await EvidenceJournal.create(path, header, { now: () => new Date('2026-11-30T01:01:00Z') });
    if (!created.isOk()) throw new Error('create failed');
    const j = created.value;
    await j.append({ step: 'pick', target: t0.project, record: t0.pick as NonNullable<typeof t0.pick> });
    await j.append({ step: 'trigger', target: t0.project, record: t0.pipeline as NonNullable<typeof t0.pipeline> });
    const read = await readJournal(path);
    if (!read.isOk()) throw new Error('read failed');
    expect(read.value.completed.map((s) => [s.seq, s.step, s.target])).toEqual([
      [1, 'pick', t0.project],
      [2, 'trigger', t0.project],
    ]);
    expect(read.value.complete).toBe(false);
    expect(parseBundle(JSON.parse(JSON.stringify(read.value.bundle))).isOk()).toBe(true);
    expect(read.value.bundle.targets.map((t) => t.outcome)).toEqual(['pending', 'pending']);
    expect(read.value.bundle.targets[0]?.pick).toEqual(t0.pick);
  });

  it('tells a pipeline request journaled before its POST as pending until its pipeline record follows (S4)', async () => {
    const path = tempPath();
    const j = (await EvidenceJournal.create(path, header))._unsafeUnwrap();
    const pipeline = t0.pipeline as NonNullable<typeof t0.pipeline>;
    const intent = {
      project: pipeline.project,
      sent: {
        ref: pipeline.ref,
        inputs: { action: 'deploy-release-branch-to-staging', project: t0.project, confirm: true },
      },
      seenBeforeId: pipeline.id - 1,
    };
    (await j.append({ step: 'trigger-intent', target: t0.project, record: intent }))._unsafeUnwrap();
    const pending = (await readJournal(path))._unsafeUnwrap();
    expect(pending.pendingPipelines).toEqual({ [t0.project]: intent });
    // The intent is not evidence of its own: the bundle has no pipeline record yet.
    expect(pending.bundle.targets[0]?.pipeline).toBeUndefined();
    expect(parseBundle(JSON.parse(JSON.stringify(pending.bundle))).isOk()).toBe(true);
    (await j.append({ step: 'trigger', target: t0.project, record: pipeline }))._unsafeUnwrap();
    expect((await readJournal(path))._unsafeUnwrap().pendingPipelines).toEqual({});
    const bad = await j.append({
      step: 'trigger-intent',
      target: t0.project,
      record: { ...intent, seenBeforeId: -1 },
    });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-journal-entry' });
  });

  it('rebuilds the full fixture when every step is journaled', async () => {
    const path = tempPath();
    const created = await EvidenceJournal.create(path, header);
    if (!created.isOk()) throw new Error('create failed');
    for (const t of targets) {
      const steps = [
        ['pick', t.pick],
        ['drift', t.drift],
        ['trigger', t.pipeline],
        ['enumerate', t.enumeration],
        ['deploy', t.deployment],
        ['deployed-commits', t.deployedCommits],
        ['verify-sha', t.deployedSha],
        ['smoke', t.smokeChecks],
        ['note', t.note],
        ['label', t.label],
        ['outcome', { outcome: t.outcome }],
      ] as const;
      for (const [step, record] of steps) {
        const r = await created.value.append({ step, target: t.project, record } as never);
        expect(r.isOk()).toBe(true);
      }
    }
    await created.value.append({ step: 'complete', record: { completedAt: fixture.completedAt ?? '' } });
    const read = await readJournal(path);
    expect(read.isOk() && read.value.bundle).toEqual(fixture);
    expect(read.isOk() && read.value.complete).toBe(true);
  });

  it('resumes with open(): numbering continues and conflicts and rollbacks accumulate', async () => {
    const path = tempPath();
    const created = await EvidenceJournal.create(path, header);
    if (!created.isOk()) throw new Error('create failed');
    const conflict = {
      apiUrl: 'https://gitlab.example.com/api/v4/projects/1/repository/commits',
      observedAt: '2026-11-30T01:01:05.000Z',
      originalSha: fixture.hotfixes[0]?.commits[0]?.sha ?? '',
      paths: ['src/tariff.ts'],
      resolvedBy: 'oncall.alice',
      resultTree: 'c'.repeat(40),
      verified: true,
    };
    await created.value.append({ step: 'conflict', target: t0.project, record: conflict });
    const reopened = await EvidenceJournal.open(path);
    if (!reopened.isOk()) throw new Error('open failed');
    const r = await reopened.value.append({
      step: 'conflict',
      target: t0.project,
      record: { ...conflict, paths: ['b.ts'] },
    });
    expect(r.isOk() && r.value.completed.map((c) => c.seq)).toEqual([1, 2]);
    expect(r.isOk() && r.value.bundle.targets[0]?.conflicts.map((c) => c.paths[0])).toEqual(['src/tariff.ts', 'b.ts']);
    expect(reopened.value.state().bundle.targets[0]?.conflicts).toHaveLength(2);
  });

  it('returns invalid-journal-entry naming the field, and for a target not in the header', async () => {
    const created = await EvidenceJournal.create(tempPath(), header);
    if (!created.isOk()) throw new Error('create failed');
    const bad = await created.value.append({
      step: 'outcome',
      target: t0.project,
      record: { outcome: 'done' },
    } as never);
    expect(!bad.isOk() && bad.error).toMatchObject({
      code: 'invalid-journal-entry',
      details: { issues: [{ pointer: '/record/outcome' }] },
    });
    const stranger = await created.value.append({
      step: 'outcome',
      target: 'other/project',
      record: { outcome: 'failed' },
    });
    expect(!stranger.isOk() && stranger.error.code).toBe('invalid-journal-entry');
  });

  it('returns secret-detected and writes nothing when an entry carries a token or the sentinel', async () => {
    const path = tempPath();
    const created = await EvidenceJournal.create(path, header, { sentinels: ['s3cr3t-sentinel'] });
    if (!created.isOk()) throw new Error('create failed');
    const pick = t0.pick as NonNullable<typeof t0.pick>;
    const leaky = await created.value.append({
      step: 'pick',
      target: t0.project,
      record: { ...pick, releaseBranch: 'glpat-0123456789abcdefghij' },
    });
    expect(!leaky.isOk() && leaky.error).toMatchObject({
      code: 'secret-detected',
      details: { pointers: ['/record/releaseBranch'] },
    });
    const sentinel = await created.value.append({
      step: 'pick',
      target: t0.project,
      record: { ...pick, releaseBranch: 'x-s3cr3t-sentinel' },
    });
    expect(!sentinel.isOk() && sentinel.error.code).toBe('secret-detected');
    const read = await readJournal(path);
    expect(read.isOk() && read.value.completed).toEqual([]);
  });

  it('returns journal-io when the journal exists and journal-corrupt for a non-journal file', async () => {
    const path = tempPath();
    await writeFile(path, '{"format":"something else"}');
    const again = await EvidenceJournal.create(path, header);
    expect(!again.isOk() && again.error.code).toBe('journal-io');
    const read = await readJournal(path);
    expect(!read.isOk() && read.error.code).toBe('journal-corrupt');
    await writeFile(path, '{"format":');
    const torn = await readJournal(path);
    expect(!torn.isOk() && torn.error.code).toBe('journal-corrupt');
  });

  it('leaves a readable, valid partial bundle when the writer is killed with SIGKILL mid-append', async () => {
    const path = tempPath();
    const writer = fileURLToPath(new URL('../test/journal-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: 'ignore',
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        if (statSync(path).size > 0) {
          const r = await readJournal(path);
          if (r.isOk() && r.value.completed.length >= 20) break;
        }
      } catch {
        // not created yet
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const read = await readJournal(path);
    if (!read.isOk()) throw new Error(`journal unreadable after kill: ${read.error.code}`);
    expect(read.value.completed.length).toBeGreaterThanOrEqual(20);
    expect(parseBundle(JSON.parse(JSON.stringify(read.value.bundle))).isOk()).toBe(true);
    // Only the journal and at most one orphaned temporary file remain.
    expect(readdirSync(join(path, '..')).filter((f) => !f.endsWith('.tmp'))).toEqual(['evidence.journal.json']);
  });
});
