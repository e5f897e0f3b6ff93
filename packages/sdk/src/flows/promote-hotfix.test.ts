import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import {
  gateExpectations,
  gateFailures,
  makeReleaseWorld,
  promotionConfig,
  type ReleaseWorld,
} from '../../test/release-world.js';
import { readReleaseLock } from '../primitives/release-lock.js';
import { type FlowEvent, promoteHotfix } from './promote-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;
const COPY = 'evenergi/charging-api-eu';

function git(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(' ')}: ${code}`))));
  });
}

/** A second repository with the same history (a regional deployment), so D4 has two targets. */
async function addCopy(w: ReleaseWorld): Promise<void> {
  expect(
    (await w.api('POST', '/projects', { path: 'charging-api-eu', namespace_id: 'evenergi', name: 'charging-api-eu' }))
      .status,
  ).toBe(201);
  const src = w.sim.state.findProject(MAIN)!.repoDir;
  const dst = w.sim.state.findProject(COPY)!.repoDir;
  await git(src, ['push', '--quiet', '--mirror', dst]);
  const copy = w.sim.state.findProject(COPY)!;
  const main = w.sim.state.findProject(MAIN)!;
  for (const [id, level] of main.members) copy.members.set(id, level);
  for (const l of main.labels) copy.labels.push({ ...l });
  await w.api('POST', `/projects/${encodeURIComponent(COPY)}/protected_branches`, {
    name: 'release',
    push_access_level: 40,
    merge_access_level: 40,
  });
}

describe('promoteHotfix', () => {
  let w: ReleaseWorld;
  let dir: string;
  const events: FlowEvent[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promote-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    events.length = 0;
    await w?.close();
  });
  const isLockWrite = (r: { body?: unknown }) =>
    String((r.body as { branch?: unknown } | undefined)?.branch ?? '').startsWith('hotfix-release/lock/');
  /** Writes to release, staging and the MR; the release lock's own branch is bookkeeping, asserted apart. */
  const sideEffects = () =>
    w
      .gitlabRequests()
      .filter(
        (r) =>
          r.method !== 'GET' &&
          r.handled &&
          r.status < 400 &&
          !(r.body as { dry_run?: boolean } | undefined)?.dry_run &&
          !isLockWrite(r),
      );
  const lockFile = async () => {
    const lock = (await readReleaseLock(w.client, MAIN, 'release'))._unsafeUnwrap();
    return lock?.file;
  };

  it('promotes one hotfix to two targets (D4) and the bundle passes the policy', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await addCopy(w);
    const config = promotionConfig(w, [MAIN, COPY]);
    const journalPath = join(dir, 'two.journal.json');
    const r = await promoteHotfix(w.client, config, {
      mr: demo.mergeRequests.cleanPick,
      targets: [MAIN, COPY],
      journalPath,
      clock: w.clock,
      minDelayMs: 5_000,
      maxDelayMs: 20_000,
      onEvent: (e) => events.push(e),
    });
    const result = r._unsafeUnwrap();
    expect(result.targets.map((t) => [t.target, t.outcome, t.message])).toEqual([
      [MAIN, 'promoted', expect.any(String)],
      [COPY, 'promoted', expect.any(String)],
    ]);
    expect(result.bundle.promotedTargets).toEqual([MAIN, COPY]);
    expect(parseBundle(result.bundle).isOk()).toBe(true);
    const gate = await gateFailures(w, config, demo.mergeRequests.cleanPick, result.bundle);
    expect(gate.failing).toEqual([]);
    expect(gate.exitCode).toBe(0);
    // E1/E5: each target records that staging ran exactly its pick beyond the release head it started from.
    for (const t of result.bundle.targets) {
      expect(t.deployedCommits).toMatchObject({
        base: t.pick?.headBefore,
        deployed: t.pick?.headAfter,
        commits: t.pick?.picks.map((p) => ({ sha: p.pickedSha, title: expect.any(String) })),
        exhaustive: true,
      });
      expect(t.deployedCommits?.apiUrl).toContain('/repository/compare?from=');
    }
    // One pick, one pipeline, one note and one label edit per target; nothing twice.
    const posts = sideEffects().map((s) => `${s.method} ${s.route}`);
    expect(posts.filter((p) => p.endsWith('/cherry_pick'))).toHaveLength(2);
    expect(posts.filter((p) => p.endsWith('/pipeline'))).toHaveLength(2);
    expect(posts.filter((p) => p.endsWith('/notes'))).toHaveLength(2);
    expect(events.some((e) => e.type === 'downstream-found')).toBe(true);
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { step: string }[] };
    expect(journal.entries.at(-1)?.step).toBe('complete');
  });

  it('with rollbackOnFailure off (the default), a failed validation stops failed and changes nothing after it (D6)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [MAIN]);
    let writesFrom = 0;
    const r = (
      await promoteHotfix(w.client, config, {
        mr: demo.mergeRequests.cleanPick,
        clock: w.clock,
        onEvent: (e) => {
          if (e.type === 'step' && e.step === 'smoke' && e.status === 'start') writesFrom = sideEffects().length;
        },
        customChecks: {
          [MAIN]: [{ name: 'checkout works', run: async () => ({ ok: false, output: 'HTTP 500 on /checkout' }) }],
        },
      })
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'failed', reason: 'validation-failed' });
    expect(r.targets[0]?.message).toContain('Revert or replace the hotfix (D6)');
    expect(r.bundle.targets[0]?.rollbacks).toEqual([]);
    expect(writesFrom).toBeGreaterThan(0);
    expect(sideEffects().slice(writesFrom)).toEqual([]);
    // The promotion ended (failed): its release lock is released, recorded in the evidence.
    expect(await lockFile()).toMatchObject({ state: 'released' });
    expect(r.bundle.targets[0]?.lock).toMatchObject({
      branch: 'hotfix-release/lock/release',
      releasedAt: expect.any(String),
    });
  });

  it('stops R3, naming the foreign commit and changing nothing, when our run deploys a descendant (even with rollbackOnFailure)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [MAIN]);
    let foreign = '';
    let writesAfter = 0;
    const r = (
      await promoteHotfix(
        w.client,
        config,
        {
          mr: demo.mergeRequests.cleanPick,
          clock: w.clock,
          rollbackOnFailure: true,
          journalPath: join(dir, 'foreign.journal.json'),
        },
        {
          // Another operator's commit lands on release after our drift check, before the pipeline runs.
          afterStep: async (step) => {
            if (step !== 'drift' || foreign) return;
            const c = await w.api('POST', `/projects/${encodeURIComponent(MAIN)}/repository/commits`, {
              branch: 'release',
              commit_message: 'someone else: tweak the timeout\n',
              actions: [{ action: 'create', file_path: 'FOREIGN.md', content: 'not validated\n' }],
            });
            expect(c.status).toBe(201);
            foreign = (c.body as { id: string }).id;
            writesAfter = sideEffects().length;
          },
        },
      )
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'failed', reason: 'drift' });
    expect(r.targets[0]?.message).toContain(foreign.slice(0, 12));
    expect(r.targets[0]?.message).toContain('(R3)');
    expect(r.targets[0]?.message).toContain('Nothing was reverted');
    // After the foreign commit: only our pipeline was created; no revert, no note, no label.
    expect(
      sideEffects()
        .slice(writesAfter)
        .map((e) => `${e.method} ${e.route}`),
    ).toEqual(['POST /projects/:id/pipeline']);
    expect(await w.head(MAIN, 'release')).toBe(foreign);
    expect(r.bundle.targets[0]?.rollbacks).toEqual([]);
    // The evidence, journaled before the stop, names what staging ran beyond the release head we started from:
    // our pick and the foreign commit; the policy refuses it naming the foreign commit (E1, E5).
    const t = r.bundle.targets[0]!;
    const ours = t.pick!.picks.map((p) => p.pickedSha);
    expect(t.deployedCommits).toMatchObject({ base: t.pick?.headBefore, deployed: foreign, exhaustive: true });
    expect(t.deployedCommits?.commits.map((c) => c.sha)).toEqual([...ours, foreign]);
    expect(t.deployedCommits?.commits.at(-1)?.title).toBe('someone else: tweak the timeout');
    const journal = JSON.parse(await readFile(join(dir, 'foreign.journal.json'), 'utf8')) as {
      entries: { step: string }[];
    };
    expect(journal.entries.map((e) => e.step)).toContain('deployed-commits');
    // Even claimed as promoted, a bundle whose staging ran someone else's commit cannot pass E1/E5.
    const claimed = structuredClone(r.bundle);
    claimed.targets[0]!.outcome = 'promoted';
    claimed.promotedTargets = [MAIN];
    const report = (
      await checkBundles([{ name: 'bundle', value: claimed }], {
        now: new Date(w.sim.clock.now() + 60_000).toISOString(),
        ...gateExpectations(w.sim.url, config, demo.mergeRequests.cleanPick),
      })
    )._unsafeUnwrap();
    const e1 = report.bundles[0]?.results.find((c) => c.id === 'E1');
    expect(e1?.status).toBe('fail');
    expect(e1?.message).toContain(foreign.slice(0, 12));
    expect(report.exitCode).not.toBe(0);
  });

  it('rolls back when validation fails with rollbackOnFailure (D6): revert, rerun the pipeline, no label', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [MAIN]);
    const before = await w.head(MAIN, 'release');
    const r = (
      await promoteHotfix(w.client, config, {
        mr: demo.mergeRequests.cleanPick,
        clock: w.clock,
        rollbackOnFailure: true,
        customChecks: {
          [MAIN]: [{ name: 'checkout works', run: async () => ({ ok: false, output: 'HTTP 500 on /checkout' }) }],
        },
      })
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'rolled_back', reason: 'validation-failed' });
    expect(r.bundle.promotedTargets).toEqual([]);
    const t = r.bundle.targets[0]!;
    expect(t.rollbacks).toHaveLength(1);
    expect(t.rollbacks[0]).toMatchObject({ runbookRef: 'R2', revalidation: { passed: true } });
    expect(t.label).toBeUndefined();
    const after = await w.head(MAIN, 'release');
    const cmp = (await w.client.compare(MAIN, before, after, { straight: true }))._unsafeUnwrap();
    expect(cmp.diffs).toEqual([]);
    const mr = (await w.client.mergeRequest(MAIN, demo.mergeRequests.cleanPick.iid))._unsafeUnwrap();
    expect(mr.labels).not.toContain('Validated in Staging');
  });

  it('stops a conflicting pick with the paths to resolve (D3) and changes nothing', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [MAIN]);
    const r = (
      await promoteHotfix(w.client, config, {
        mr: demo.mergeRequests.conflictingPick,
        clock: w.clock,
        journalPath: join(dir, 'conflict.journal.json'),
      })
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'pending', reason: 'conflict' });
    expect(r.targets[0]?.conflicts?.length).toBeGreaterThan(0);
    expect(sideEffects()).toEqual([]);
    // Awaiting the resolution, the promotion still holds its release lock (resume continues under it).
    expect(await lockFile()).toMatchObject({
      state: 'held',
      holder: { mr: `${MAIN}!${demo.mergeRequests.conflictingPick.iid}` },
    });
  });

  it('refuses to start when preflight fails, listing every problem', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const e = (
      await promoteHotfix(w.client, promotionConfig(w, [MAIN]), { mr: demo.mergeRequests.open, clock: w.clock })
    )._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'preflight-failed', runbookRef: 'D1' });
    expect(sideEffects()).toEqual([]);
  });

  it('resumes after a crash at every step boundary without repeating a side effect', async () => {
    const steps = [
      'pick',
      'drift',
      'trigger-intent',
      'trigger',
      'deploy',
      'verify-sha',
      'enumerate',
      'smoke',
      'note',
      'label',
    ];
    for (const crashAfter of steps) {
      w = await makeReleaseWorld({ start: new Date() });
      const config = promotionConfig(w, [MAIN]);
      const journalPath = join(dir, `crash-${crashAfter}.journal.json`);
      const opts = { mr: demo.mergeRequests.cleanPick, journalPath, clock: w.clock };
      const crashed = await promoteHotfix(w.client, config, opts, {
        afterStep: (step) => {
          if (step === crashAfter) throw new Error(`crash after ${step}`);
        },
      });
      expect(crashed.isErr() || crashed._unsafeUnwrap().targets[0]?.outcome !== 'promoted').toBe(true);
      const resumed = (await promoteHotfix(w.client, config, opts))._unsafeUnwrap();
      expect([crashAfter, resumed.targets[0]?.outcome]).toEqual([crashAfter, 'promoted']);
      const posts = sideEffects().map((s) => s.route);
      expect([crashAfter, posts.filter((p) => p.endsWith('/cherry_pick')).length]).toEqual([crashAfter, 1]);
      expect([crashAfter, posts.filter((p) => p.endsWith('/pipeline')).length]).toEqual([crashAfter, 1]);
      expect([crashAfter, posts.filter((p) => p.endsWith('/notes')).length]).toEqual([crashAfter, 1]);
      await w.close();
    }
  }, 180_000);
});
