/**
 * `pnpm bench polling`: how many GitLab requests awaitEnvironment makes to follow a
 * ten-minute deployment (simulated: the simulator's virtual clock moves in the waiter's
 * sleeps, so the run takes seconds), against fixed-interval polling in the same run, and
 * the lag: virtual time from the deploy job finishing (its `finished_at`) to the SDK
 * reporting the deployment finished. The learning strategies run after the others, so the
 * environment's history holds their ten-minute deployments.
 */
import { startGitLabSim } from '@hotfix-release/gitlab-sim';
import {
  awaitEnvironment,
  type Clock,
  createGitLabClient,
  parseRunbookConfig,
  triggerGuidedRelease,
} from '@hotfix-release/sdk';
import type { Benchmark } from './registry.js';

const TARGET = 'evenergi/charging-api';
const DEPLOY_SECONDS = 600;

interface Strategy {
  readonly name: string;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly learn: boolean;
}

const STRATEGIES: readonly Strategy[] = [
  { name: 'fixed 2 s (baseline)', minDelayMs: 2_000, maxDelayMs: 2_000, learn: false },
  { name: 'fixed 10 s', minDelayMs: 10_000, maxDelayMs: 10_000, learn: false },
  { name: 'backoff 2 s..30 s (learn: false)', minDelayMs: 2_000, maxDelayMs: 30_000, learn: false },
  { name: 'backoff 2 s..60 s (learn: false)', minDelayMs: 2_000, maxDelayMs: 60_000, learn: false },
  { name: 'learning 2 s..30 s (default)', minDelayMs: 2_000, maxDelayMs: 30_000, learn: true },
  { name: 'learning 2 s..60 s', minDelayMs: 2_000, maxDelayMs: 60_000, learn: true },
];

async function measure(): Promise<Record<string, unknown>[]> {
  const sim = await startGitLabSim({ scenario: 'demo', virtualClock: new Date('2026-03-02T10:00:00.000Z') });
  try {
    const control = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    const advance = (ms: number) => control('/-/sim/ci/advance', { ms: Math.round(ms) });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.apiUrl}${path}`, {
        method,
        headers: { 'private-token': sim.token, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => (await r.json()) as Record<string, unknown>);
    // A ten-minute deploy job on release, committed through the REST API.
    const enc = encodeURIComponent(TARGET);
    const yml = await (
      await fetch(`${sim.apiUrl}/projects/${enc}/repository/files/.gitlab-ci.yml/raw?ref=release`, {
        headers: { 'private-token': sim.token },
      })
    ).text();
    const slow = yml.replace(/(deploy-staging:[\s\S]*?SIM_DURATION_SECONDS: )"\d+"/, `$1"${DEPLOY_SECONDS}"`);
    const commit = await api('POST', `/projects/${enc}/repository/commits`, {
      branch: 'release',
      commit_message: 'ci: ten-minute deploy\n',
      actions: [{ action: 'update', file_path: '.gitlab-ci.yml', content: slow }],
    });
    const sha = String(commit.id);
    const clock: Clock = { now: () => sim.clock.now(), sleep: async (ms) => void (await advance(ms)) };
    const client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token }, { clock });
    const config = parseRunbookConfig({
      services: [
        {
          project: TARGET,
          health: { url: `${sim.url}/-/sim/services/${TARGET}/staging/health`, versionPath: 'version' },
        },
      ],
    });
    if (client.isErr() || config.isErr()) throw new Error('bench setup failed');
    const rows: Record<string, unknown>[] = [];
    let baseline = 0;
    for (const s of STRATEGIES) {
      const p = await triggerGuidedRelease(client.value, config.value, { target: TARGET, clock });
      if (p.isErr()) throw new Error(p.error.message);
      const before = sim.controls.requests.length;
      const started = performance.now();
      let knownAt: number | undefined;
      const r = await awaitEnvironment(client.value, config.value, {
        learn: s.learn,
        onEvent: (e) => {
          if (e.type === 'deployment-finished') knownAt = Date.parse(e.at);
        },
        pipeline: p.value,
        target: TARGET,
        expectedSha: sha,
        maxWaitMs: 30 * 60_000,
        minDelayMs: s.minDelayMs,
        maxDelayMs: s.maxDelayMs,
        clock,
        random: () => 0.5,
      });
      if (r.isErr()) throw new Error(r.error.message);
      const requests = sim.controls.requests
        .slice(before)
        .filter((x) => x.route !== 'control' && x.route !== 'git').length;
      if (baseline === 0) baseline = requests;
      const finishedAt = r.value.observed.deployment?.finishedAt;
      const lagMs = knownAt !== undefined && finishedAt ? knownAt - Date.parse(finishedAt) : null;
      rows.push({
        strategy: s.name,
        outcome: r.value.outcome,
        simulatedMinutes: Math.round(r.value.elapsedMs / 600) / 100,
        gitlabRequests: requests,
        vsBaseline: Math.round((requests / baseline) * 100) / 100,
        lagSeconds: lagMs === null ? null : Math.round(lagMs / 100) / 10,
        wallMs: Math.round(performance.now() - started),
      });
      await advance(60 * 60_000);
    }
    return rows;
  } finally {
    await sim.close();
  }
}

/** The `polling` benchmark. */
export const pollingBenchmark: Benchmark = {
  description:
    'GitLab requests made by awaitEnvironment for a 10-minute simulated deployment, vs fixed-interval polling',
  async run() {
    const rows = await measure();
    return { rows, deploySeconds: DEPLOY_SECONDS };
  },
};
