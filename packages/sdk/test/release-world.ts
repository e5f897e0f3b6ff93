/**
 * Test world for triggerGuidedRelease / awaitEnvironment: the demo scenario on a virtual
 * clock, a client whose sleeps advance the simulator's clock (so a ten-minute deployment
 * takes no wall time), and helpers that shape the world only through the simulator's
 * HTTP APIs (REST and /-/sim controls).
 */
import {
  demoScenarioInfo,
  type GitLabSim,
  type LoggedRequest,
  type RealisticOption,
  startGitLabSim,
} from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { SIM_MODE, simModeOptions } from '../../../test-support/sim-mode.js';
import type { Clock } from '../src/clock.js';
import { createGitLabClient, type GitLabClient } from '../src/gitlab-client.js';
import { parseRunbookConfig, type RunbookConfig, type RunbookConfigInput } from '../src/runbook-config.js';

/** The target most tests promote. */
export const TARGET = demoScenarioInfo.services[0];

/** A simulator plus an SDK client wired to its virtual clock. */
export interface ReleaseWorld {
  readonly sim: GitLabSim;
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  /** The clock to give awaitEnvironment: `sleep` advances the simulator. */
  readonly clock: Clock;
  /** Delays the transport slept (its retries), in ms. */
  readonly transportSleeps: number[];
  /** Advances simulated time and waits until every CI step it caused has finished. */
  advance(ms: number): Promise<void>;
  /** Calls a /-/sim control route. */
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Calls the REST API as the admin. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** The head of a branch. */
  head(project: string, branch: string): Promise<string>;
  /** Rewrites a project's `.gitlab-ci.yml` on a branch (created from `from` when new); returns the new head. */
  editCi(project: string, branch: string, edit: (yml: string) => string, from?: string): Promise<string>;
  /** GitLab API requests received so far (no control routes, no git, no health endpoint). */
  gitlabRequests(): LoggedRequest[];
  close(): Promise<void>;
}

/** Starts the demo world. `retry` tunes the client's transport retries. */
export async function makeReleaseWorld(
  opts: {
    retry?: { maxAttempts: number };
    config?: RunbookConfigInput;
    start?: Date;
    token?: string;
    timeoutMs?: number;
    /** Realistic switches turned on (or off) over the run's mode, for a test that needs one GitLab behaviour. */
    realistic?: Exclude<RealisticOption, boolean>;
  } = {},
): Promise<ReleaseWorld> {
  const sim = await startGitLabSim({
    scenario: 'demo',
    virtualClock: opts.start ?? new Date('2026-03-02T10:00:00.000Z'),
    ...(opts.token ? { token: opts.token } : {}),
    ...simModeOptions,
    ...(opts.realistic ? { realistic: { ...SIM_MODE.realistic, ...opts.realistic } } : {}),
  });
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };
  const advance = async (ms: number) => {
    await control('POST', '/-/sim/ci/advance', { ms: Math.max(0, Math.round(ms)) });
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method,
      headers: { 'private-token': sim.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const transportSleeps: number[] = [];
  const client = createGitLabClient(
    {
      gitlabUrl: sim.url,
      token: sim.token,
      timeoutMs: opts.timeoutMs ?? 5_000,
      retry: {
        maxAttempts: opts.retry?.maxAttempts ?? 4,
        baseDelayMs: 500,
        maxDelayMs: 5_000,
        maxRetryAfterMs: 60_000,
      },
    },
    {
      random: () => 0.5,
      clock: {
        now: () => sim.clock.now(),
        sleep: async (ms) => {
          transportSleeps.push(ms);
          await advance(ms);
        },
      },
    },
  )._unsafeUnwrap();
  const config = parseRunbookConfig(
    opts.config ?? {
      services: demoScenarioInfo.services.map((project) => ({
        project,
        deployJobs: ['deploy-staging'],
        health: { url: `${sim.url}/-/sim/services/${project}/staging/health`, versionPath: 'version' },
      })),
    },
  )._unsafeUnwrap();
  const head = async (project: string, branch: string) => {
    const r = await api('GET', `/projects/${encodeURIComponent(project)}/repository/branches/${branch}`);
    return (r.body as { commit: { id: string } }).commit.id;
  };
  return {
    sim,
    client,
    config,
    clock: {
      now: () => sim.clock.now(),
      sleep: async (ms, signal) => {
        if (!signal?.aborted) await advance(ms);
      },
    },
    transportSleeps,
    advance,
    control,
    api,
    head,
    async editCi(project, branch, edit, from) {
      const enc = encodeURIComponent(project);
      const ref = from ?? branch;
      const raw = await fetch(`${sim.apiUrl}/projects/${enc}/repository/files/.gitlab-ci.yml/raw?ref=${ref}`, {
        headers: { 'private-token': sim.token },
      });
      const r = await api('POST', `/projects/${enc}/repository/commits`, {
        branch,
        ...(from ? { start_branch: from } : {}),
        commit_message: 'ci: test variant\n',
        actions: [{ action: 'update', file_path: '.gitlab-ci.yml', content: edit(await raw.text()) }],
      });
      if (r.status !== 201) throw new Error(`editCi: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body as { id: string }).id;
    },
    gitlabRequests: () => sim.controls.requests.filter((r) => r.route !== 'control' && r.route !== 'git'),
    close: () => sim.close(),
  };
}

/**
 * The runbook configuration of a promotion in this world: each target with its health endpoint and
 * one smoke check that staging reports the hotfix SHA.
 */
export function promotionConfig(w: ReleaseWorld, targets: readonly string[]): RunbookConfig {
  return parseRunbookConfig({
    services: targets.map((project) => {
      const health = `${w.sim.url}/-/sim/services/${project}/staging/health`;
      return {
        project,
        health: { url: health },
        smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
      };
    }),
  })._unsafeUnwrap();
}

/**
 * What a gate expects of a promotion this test set up: its own policy file (instance, orchestration,
 * release branch, environment, label, governed projects) and the MR, never read back from the bundle.
 */
export function gateExpectations(
  simUrl: string,
  config: RunbookConfig,
  mr: { readonly project: string; readonly iid: number },
) {
  return {
    policy: {
      version: 1,
      gitlab: { url: simUrl },
      orchestration: { project: config.orchestration.project, ref: config.orchestration.ref },
      release: { branch: config.releaseBranch, environment: config.environment, label: config.label },
      governedProjects: config.governed ? [mr.project] : [],
    },
    expected: { mr: { project: mr.project, iid: mr.iid } },
  } as const;
}

/**
 * Runs the gate (its own expectations, see {@link gateExpectations}) over one bundle a minute after the
 * simulator's now, and returns every check that neither passed nor was not applicable, with the exit code.
 */
export async function gateFailures(
  w: ReleaseWorld,
  config: RunbookConfig,
  mr: { readonly project: string; readonly iid: number },
  bundle: unknown,
) {
  const report = (
    await checkBundles([{ name: 'bundle', value: bundle }], {
      now: new Date(w.sim.clock.now() + 60_000).toISOString(),
      ...gateExpectations(w.sim.url, config, mr),
    })
  )._unsafeUnwrap();
  const failing = report.bundles.flatMap((b) =>
    b.results.filter((c) => c.status !== 'pass' && c.status !== 'not_applicable'),
  );
  return { failing, exitCode: report.exitCode };
}
