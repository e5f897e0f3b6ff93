/**
 * Issue 23, "two operators at once": two promotions of DIFFERENT merged hotfixes of the same service,
 * by two GitLab users, started at once. The second one arrives at every step boundary of the first
 * (the flow's `afterStep` hook holds the first there until the second has been told who holds the
 * release lock), plus a start at the very same moment. In every run: release and staging agree at
 * the end, each bundle passes the policy and names exactly what staging ran, nothing is reverted, and
 * the second operator is told who holds the lock. The cooperative tier runs a few boundaries; the
 * realistic tier (`pnpm run test:realistic`) runs every one.
 */
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE } from '../../../../test-support/sim-mode.js';
import { gateExpectations, makeReleaseWorld, promotionConfig, type ReleaseWorld } from '../../test/release-world.js';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import { type FlowEvent, type PromotionResult, promoteHotfix } from './promote-hotfix.js';

const it = itWithRealisticFailures([]);
const MAIN = demo.mergeRequests.cleanPick.project;
const enc = encodeURIComponent(MAIN);

/** Every boundary of the first promotion (the realistic tier), or a few of them (the fast tier). */
const ALL = [
  'lock',
  'pick',
  'drift',
  'trigger-intent',
  'trigger',
  'deploy',
  'deployed-commits',
  'verify-sha',
  'enumerate',
  'smoke',
  'note',
  'label',
  'outcome',
];
const BOUNDARIES = SIM_MODE.name === 'realistic' ? ALL : ['lock', 'trigger', 'smoke', 'label'];

/** A second merged hotfix of the same service (another file, so both pick cleanly), approved by Bob. */
async function mergeSecondHotfix(w: ReleaseWorld): Promise<{ project: string; iid: number }> {
  const bob = demo.users.maintainer.token;
  const as = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${w.sim.apiUrl}${path}`, {
      method,
      headers: { 'private-token': token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { iid: number; state?: string } };
  };
  const cfg = await fetch(`${w.sim.apiUrl}/projects/${enc}/repository/files/src%2Fconfig.ts/raw?ref=main`, {
    headers: { 'private-token': w.sim.token },
  });
  const lines = (await cfg.text()).split('\n');
  lines[2] = 'export const timeoutMs = 30_000;';
  const commit = await w.api('POST', `/projects/${enc}/repository/commits`, {
    branch: 'hotfix/timeout',
    start_branch: 'main',
    commit_message: 'Raise the charger timeout\n',
    actions: [{ action: 'update', file_path: 'src/config.ts', content: lines.join('\n') }],
  });
  expect(commit.status).toBe(201);
  const mr = await as(demo.users.developer.token, 'POST', `/projects/${enc}/merge_requests`, {
    source_branch: 'hotfix/timeout',
    target_branch: 'main',
    title: 'Raise the charger timeout',
    labels: 'hotfix',
  });
  expect(mr.status).toBe(201);
  expect((await as(bob, 'POST', `/projects/${enc}/merge_requests/${mr.body.iid}/approve`)).status).toBe(201);
  const merged = await as(bob, 'PUT', `/projects/${enc}/merge_requests/${mr.body.iid}/merge`);
  expect([merged.status, merged.body.state]).toEqual([200, 'merged']);
  return { project: MAIN, iid: mr.body.iid };
}

/** Bob's client: a second operator on the same GitLab and the same virtual clock. */
function bobClient(w: ReleaseWorld): GitLabClient {
  return createGitLabClient(
    { gitlabUrl: w.sim.url, token: demo.users.maintainer.token, timeoutMs: 5_000 },
    { random: () => 0.5, clock: w.clock },
  )._unsafeUnwrap();
}

async function passesPolicy(
  w: ReleaseWorld,
  config: RunbookConfig,
  r: PromotionResult,
  mr: { project: string; iid: number },
) {
  const report = (
    await checkBundles([{ name: 'bundle', value: r.bundle }], {
      now: new Date(w.sim.clock.now() + 60_000).toISOString(),
      ...gateExpectations(w.sim.url, config, mr),
    })
  )._unsafeUnwrap();
  return report.bundles.flatMap((b) => b.results.filter((c) => c.status !== 'pass' && c.status !== 'not_applicable'));
}

/** What staging runs now: the newest successful deployment of the environment. */
async function stagingSha(w: ReleaseWorld): Promise<string> {
  const deps = await w.api(
    'GET',
    `/projects/${enc}/deployments?environment=staging&status=success&order_by=id&sort=desc`,
  );
  return (deps.body as { sha: string }[])[0]?.sha ?? '';
}

describe('two operators at once (issue 23)', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());

  const run = async (boundary: string | undefined) => {
    w = await makeReleaseWorld({ start: new Date() });
    const second = await mergeSecondHotfix(w);
    const config = promotionConfig(w, [MAIN]);
    const bob = bobClient(w);
    const eventsA: FlowEvent[] = [];
    const eventsB: FlowEvent[] = [];
    let told!: () => void;
    const bobWasTold = new Promise<void>((resolve) => {
      told = resolve;
    });
    let promotionB: Promise<Awaited<ReturnType<typeof promoteHotfix>>> | undefined;
    const startB = (): Promise<Awaited<ReturnType<typeof promoteHotfix>>> => {
      promotionB ??= Promise.resolve(
        promoteHotfix(bob, config, {
          mr: second,
          clock: w.clock,
          lock: { maxWaitMs: 6 * 3_600_000, pollMs: 20_000 },
          onEvent: (e) => {
            eventsB.push(e);
            if (e.type === 'step' && e.step === 'lock' && e.status === 'start') told();
          },
        }),
      ).then((r) => {
        told();
        return r;
      });
      return promotionB;
    };
    const promotionA = promoteHotfix(
      w.client,
      config,
      { mr: demo.mergeRequests.cleanPick, clock: w.clock, onEvent: (e) => eventsA.push(e) },
      {
        afterStep: async (step) => {
          if (boundary !== step || promotionB) return;
          void startB();
          await bobWasTold;
        },
      },
    );
    if (!boundary) void startB();
    const a = (await promotionA)._unsafeUnwrap();
    const b = (await startB())._unsafeUnwrap();
    return { a, b, second, config, eventsA, eventsB };
  };

  const check = async (boundary: string | undefined) => {
    const { a, b, second, config, eventsA, eventsB } = await run(boundary);
    const label = boundary ?? 'same moment';
    expect([label, a.targets[0]?.outcome, b.targets[0]?.outcome]).toEqual([label, 'promoted', 'promoted']);
    // The one who waited was told who holds the lock, for which MR and until when.
    const waited = [...eventsA, ...eventsB].find((e) => e.type === 'step' && e.step === 'lock' && e.status === 'start');
    expect(waited?.type === 'step' && waited.message).toMatch(
      /held by \S+ \(promoting evenergi\/charging-api!\d+\), lease until \d{4}-/,
    );
    // Release and staging agree; the later bundle names exactly what staging runs.
    const release = await w.head(MAIN, 'release');
    expect([label, await stagingSha(w)]).toEqual([label, release]);
    const [first, last] =
      Date.parse(a.bundle.completedAt ?? '') <= Date.parse(b.bundle.completedAt ?? '') ? [a, b] : [b, a];
    expect(last.bundle.targets[0]?.deployedCommits?.deployed).toBe(release);
    // Each ran exactly its own pick beyond the release head it started from; the second started from the first's.
    for (const r of [a, b]) {
      const t = r.bundle.targets[0]!;
      expect(t.deployedCommits?.commits.map((c) => c.sha)).toEqual(t.pick?.picks.map((p) => p.pickedSha));
      expect(t.lock).toMatchObject({ releasedAt: expect.any(String) });
    }
    expect(last.bundle.targets[0]?.pick?.headBefore).toBe(first.bundle.targets[0]?.pick?.headAfter);
    // Nothing was reverted; each bundle passes the policy.
    expect(w.gitlabRequests().filter((r) => r.route.endsWith('/revert'))).toEqual([]);
    expect(await passesPolicy(w, config, a, demo.mergeRequests.cleanPick)).toEqual([]);
    expect(await passesPolicy(w, config, b, second)).toEqual([]);
  };

  it('started at the same moment: one takes the lock, the other waits, told who holds it', async () => {
    await check(undefined);
  }, 120_000);

  for (const boundary of BOUNDARIES) {
    it(`the second arrives after the first's "${boundary}" step: it waits, and both end promoted and agreeing`, async () => {
      await check(boundary);
    }, 120_000);
  }

  it('with --no-wait the second refuses at once, naming the holder, and changes nothing', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const second = await mergeSecondHotfix(w);
    const config = promotionConfig(w, [MAIN]);
    let refused: Awaited<ReturnType<typeof promoteHotfix>> | undefined;
    let bobWrites: unknown[] = [];
    const a = await promoteHotfix(
      w.client,
      config,
      { mr: demo.mergeRequests.cleanPick, clock: w.clock },
      {
        afterStep: async (step) => {
          if (step !== 'pick' || refused) return;
          const writes = () => w.gitlabRequests().filter((r) => r.method !== 'GET');
          const before = writes().length;
          // The first promotion is held here, so every request until Bob's answer is Bob's.
          refused = await promoteHotfix(bobClient(w), config, { mr: second, clock: w.clock, lock: { wait: false } });
          bobWrites = writes().slice(before);
        },
      },
    );
    expect(a._unsafeUnwrap().ok).toBe(true);
    const e = refused?._unsafeUnwrapErr();
    expect(e).toMatchObject({
      code: 'lock-held',
      runbookRef: 'S2',
      details: { waitedMs: 0, holder: { mr: `${MAIN}!1` } },
    });
    expect(e?.message).toContain(`promoting ${MAIN}!1`);
    // Bob's refused promotion wrote nothing at all (its only requests were reads).
    expect(bobWrites).toEqual([]);
  }, 120_000);
});
