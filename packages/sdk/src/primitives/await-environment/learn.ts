/**
 * Waits that learn: when this environment's recent successful deployments say how long a
 * deployment takes, the deployment phase knows when ours is expected to finish, and the
 * waiter sleeps toward shortly before that instead of backing off blindly (S6).
 *
 * Two bases, best first: the deploy jobs' `started_at` → `finished_at` anchored at our job's
 * `started_at`; else the deployments' `created_at` → `updated_at` (a success deployment's
 * `updated_at` is when it finished) anchored at our deployment's `created_at`. A basis is used
 * only when our side has its anchor and history has at least one sample of it; a field GitLab
 * omits removes that basis, and with neither the wait polls as before. The five most recent
 * successful deployments are the samples (see `expectedFinishAt` for how several kinds mix).
 */
import type { GitLabDeployment } from '../../_internal/schemas.js';

/** Durations (ms) of recent successful deployments, per basis. */
export interface DeploymentHistory {
  readonly job: readonly number[];
  readonly deployment: readonly number[];
}

/** Deployments longer than this are not samples (a stuck or re-run deployment says nothing). */
const MAX_SAMPLE_MS = 24 * 3_600_000;

function span(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_SAMPLE_MS ? ms : undefined;
}

/** The durations a list of successful deployments shows, per basis (missing fields are skipped). */
export function deploymentHistory(deployments: readonly GitLabDeployment[]): DeploymentHistory {
  const job: number[] = [];
  const deployment: number[] = [];
  for (const d of deployments) {
    if (d.status !== 'success') continue;
    const j = span(d.deployable?.started_at, d.deployable?.finished_at);
    if (j !== undefined) job.push(j);
    const w = span(d.created_at, d.updated_at);
    if (w !== undefined) deployment.push(w);
  }
  return { job, deployment };
}

/**
 * When our deployment is expected to finish (epoch ms), or `undefined` when history or our
 * anchor is missing (the wait then polls on its usual backoff). History may hold several kinds of
 * run (a changed pipeline, cached and uncached builds): the expectation is the shortest recent
 * duration not yet passed by more than its tolerance (a tenth of it, at least `toleranceMs`), so a
 * deployment that outlasts one kind is expected at the next; past the longest, the longest stays
 * the expectation and the waiter's gaps grow with the overdue time.
 */
export function expectedFinishAt(
  history: DeploymentHistory | undefined,
  current: GitLabDeployment,
  now: number,
  toleranceMs = 4_000,
): number | undefined {
  if (!history) return undefined;
  const started = current.deployable?.started_at ? Date.parse(current.deployable.started_at) : Number.NaN;
  const created = Date.parse(current.created_at);
  const basis =
    history.job.length > 0 && Number.isFinite(started)
      ? { anchor: started, samples: history.job }
      : history.deployment.length > 0 && Number.isFinite(created)
        ? { anchor: created, samples: history.deployment }
        : undefined;
  if (!basis) return undefined;
  const ladder = [...basis.samples].sort((a, b) => a - b);
  const next = ladder.find((d) => basis.anchor + d + Math.max(toleranceMs, d / 10) > now);
  return basis.anchor + (next ?? (ladder[ladder.length - 1] as number));
}
