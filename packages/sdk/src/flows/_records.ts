/**
 * Maps what the primitives observed onto evidence records (E1–E8). Every record says
 * where it was read (API URL) and when (ISO 8601 UTC).
 */
import type {
  DeployedCommitsRecord,
  DeployedShaRecord,
  DeploymentRecord,
  DriftReport as DriftRecord,
  LabelRecord,
  NoteRecord,
  PickRecord,
  PipelineRecord,
  ReportedTime,
  SmokeCheckRecord,
} from '@hotfix-release/evidence';
import { recordVariables } from '@hotfix-release/evidence';
import type { GitLabClient } from '../gitlab-client.js';
import type { CommitsBeyond, DriftReport } from '../primitives/assert-no-drift.js';
import type { AwaitObserved } from '../primitives/await-environment/types.js';
import type { PickOutcome } from '../primitives/cherry-pick-to-release.js';
import type { LabelResult, ValidationNote } from '../primitives/record-validation.js';
import type { SmokeCheckResult } from '../primitives/run-smoke-checks.js';
import type { FingerprintMatch } from '../primitives/trigger-guided-release/reconcile.js';
import type { TriggeredPipeline } from '../primitives/trigger-guided-release.js';

/** ISO 8601 UTC with `Z`, whatever offset GitLab used. */
export function utc(value: string): string {
  return new Date(value).toISOString();
}

/**
 * A time GitLab reports, in UTC; absent with the reason when GitLab gave none (or one that is
 * not a time). An evidence tool never invents a timestamp: "now" is not a stand-in.
 */
export function reportedTime(value: string | null | undefined, what: string): ReportedTime {
  if (value === null || value === undefined || value === '') {
    return { absent: true, reason: `GitLab reported no ${what}` };
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return { absent: true, reason: `GitLab reported ${what} that is not a time` };
  return new Date(ms).toISOString();
}

/** The API URL of a project-scoped path. */
export function apiUrl(client: GitLabClient, project: string | number, rest: string): string {
  return `${client.gitlabUrl}/api/v4/projects/${encodeURIComponent(String(project))}${rest}`;
}

/** E1: the pick record, from a `picked` or `already_applied` outcome. */
export function pickRecord(
  client: GitLabClient,
  project: string,
  branch: string,
  outcome: Extract<PickOutcome, { kind: 'picked' | 'already_applied' }>,
): PickRecord {
  const before = outcome.kind === 'picked' ? outcome.releaseBefore : outcome.releaseHead;
  const after = outcome.kind === 'picked' ? outcome.releaseAfter : outcome.releaseHead;
  return {
    apiUrl: apiUrl(client, project, `/repository/branches/${encodeURIComponent(branch)}`),
    observedAt: utc(outcome.observedAt),
    releaseBranch: branch,
    headBefore: before,
    headAfter: after,
    picks: outcome.picks.map((p) => ({
      originalSha: p.original,
      pickedSha: p.picked,
      // A pick recognised by its change carries no trailer: record none rather than invent one.
      trailer: p.via === 'patch-id' ? '' : `(cherry picked from commit ${p.original})`,
      method: 'api' as const,
      via: p.via,
    })),
  };
}

/** S3/R3: the drift record. */
export function driftRecord(client: GitLabClient, report: DriftReport): DriftRecord {
  return {
    apiUrl: apiUrl(
      client,
      report.project,
      `/repository/compare?from=${report.releaseBefore}&to=${report.releaseNow}&straight=true`,
    ),
    observedAt: utc(report.observedAt),
    ok: report.ok,
    base: report.releaseBefore,
    head: report.releaseNow,
    kinds: [...report.kinds],
    extraCommits: report.commits
      .filter((c) => c.classification !== 'intended-pick' && c.classification !== 'intended-merge')
      .map((c) => c.sha),
    missingCommits: [...report.missing],
  };
}

/**
 * E2: the orchestration pipeline as GitLab reports it. Only the guided inputs' variables are recorded in
 * clear; any other variable as its key and the sha256 of its value (evidence carries no secrets).
 */
export function pipelineRecord(
  client: GitLabClient,
  p: TriggeredPipeline,
  guidedKeys: readonly string[],
): PipelineRecord {
  return {
    apiUrl: apiUrl(client, p.project, `/pipelines/${p.id}`),
    observedAt: utc(p.reported.readAt),
    id: p.id,
    iid: p.iid ?? p.id,
    project: p.project,
    ref: p.ref,
    sha: p.sha,
    status: p.status,
    webUrl: p.webUrl,
    createdAt: reportedTime(p.createdAt, 'created_at for the pipeline'),
    source: p.source ?? 'api',
    inputs: { ...p.reported.inputs },
    variables: recordVariables(p.reported.variables, guidedKeys),
    sent:
      p.request.via === 'inputs'
        ? { ref: p.request.ref, inputs: { ...p.request.inputs } }
        : { ref: p.request.ref, variables: p.request.variables.map((v) => ({ key: v.key, value: v.value })) },
  };
}

/**
 * E2: what the orchestration pipeline observably ran: its job and bridge names against the profile's
 * fingerprints, and the downstream pipeline the wait reached in the target (and how).
 */
export function pipelineObservation(
  client: GitLabClient,
  pipeline: { readonly project: string; readonly id: number },
  match: FingerprintMatch,
  fingerprints: { readonly deploy: readonly string[]; readonly cutOff: readonly string[] },
  downstream: AwaitObserved['downstream'],
  observedAt: string,
): NonNullable<PipelineRecord['observed']> {
  return {
    apiUrl: apiUrl(client, pipeline.project, `/pipelines/${pipeline.id}/jobs`),
    observedAt: utc(observedAt),
    jobs: [...match.jobs],
    deployFingerprint: [...fingerprints.deploy],
    cutOffFingerprint: [...fingerprints.cutOff],
    downstream:
      downstream?.ref && downstream.reachedVia
        ? { project: downstream.project, pipelineId: downstream.id, ref: downstream.ref, via: downstream.reachedVia }
        : null,
  };
}

/** E4: downstream pipeline, deploy job and deployment; undefined when any is missing. */
export function deploymentRecord(client: GitLabClient, o: AwaitObserved): DeploymentRecord | undefined {
  const { downstream, job, deployment } = o;
  if (!downstream || !job || !deployment) return undefined;
  return {
    downstreamPipeline: {
      apiUrl: downstream.apiUrl,
      observedAt: utc(downstream.observedAt),
      id: downstream.id,
      project: downstream.project,
      status: downstream.status,
      sha: downstream.sha ?? deployment.sha,
      webUrl: downstream.webUrl ?? downstream.apiUrl,
    },
    job: {
      apiUrl: apiUrl(client, job.projectId, `/jobs/${job.id}`),
      observedAt: utc(job.observedAt),
      id: job.id,
      name: job.name,
      status: job.status,
      finishedAt: job.finishedAt ? utc(job.finishedAt) : null,
    },
    deployment: {
      apiUrl: deployment.apiUrl,
      observedAt: utc(deployment.observedAt),
      id: deployment.id,
      status: deployment.status,
      sha: deployment.sha,
      environment: deployment.environment,
      finishedAt: deployment.finishedAt ? utc(deployment.finishedAt) : null,
    },
  };
}

/** E1/E5: the commits the deployment ran beyond the release head the promotion started from. */
export function deployedCommitsRecord(
  client: GitLabClient,
  project: string,
  beyond: CommitsBeyond,
): DeployedCommitsRecord {
  return {
    apiUrl: apiUrl(client, project, `/repository/compare?from=${beyond.base}&to=${beyond.head}&straight=true`),
    observedAt: utc(beyond.observedAt),
    base: beyond.base,
    deployed: beyond.head,
    commits: beyond.commits.map((c) => ({ sha: c.sha, title: c.title.slice(0, 1000) })),
    exhaustive: beyond.exhaustive,
  };
}

/** E5: the deployed SHA from the environment and from the health endpoint. */
export function deployedShaRecord(o: AwaitObserved): DeployedShaRecord | undefined {
  const { deployment, health } = o;
  if (!deployment) return undefined;
  const version = health?.version ?? null;
  return {
    environment: {
      apiUrl: deployment.apiUrl,
      observedAt: utc(deployment.observedAt),
      name: deployment.environment,
      sha: deployment.sha,
    },
    health: {
      apiUrl: health?.url ?? deployment.apiUrl,
      observedAt: utc(health?.observedAt ?? deployment.observedAt),
      sha: version && /^[0-9a-f]{40}$/.test(version) ? version : null,
      version,
      httpStatus: health?.httpStatus ?? 200,
      // E5 by build identity: how the version names the commit, for the policy to re-derive.
      ...(health?.identity && health.identity.basis !== 'sha'
        ? {
            identity: {
              basis: health.identity.basis,
              pattern: health.identity.pattern ?? '',
              captured: health.identity.captured,
              ...(health.identity.basis === 'pattern-deployment' ? { deploymentId: deployment.id } : {}),
            },
          }
        : {}),
    },
  };
}

/** E6: smoke-check records (script checks are located at the MR they validate). */
export function smokeRecords(results: readonly SmokeCheckResult[], mrWebUrl: string): SmokeCheckRecord[] {
  return results.map((r) => ({
    apiUrl: r.url ?? mrWebUrl,
    observedAt: utc(new Date(Date.parse(r.startedAt) + r.durationMs).toISOString()),
    name: r.name,
    kind: r.kind,
    result: r.result,
    startedAt: utc(r.startedAt),
    durationMs: r.durationMs,
    outputDigest: r.outputDigest,
  }));
}

/** E7: the note record (`observedAt`: when the flow read the note back, on its clock). */
export function noteRecord(
  client: GitLabClient,
  project: string,
  iid: number,
  service: string,
  n: ValidationNote,
  observedAt: string,
): NoteRecord {
  return {
    apiUrl: apiUrl(client, project, `/merge_requests/${iid}/notes/${n.id}`),
    observedAt,
    id: n.id,
    url: n.url,
    bodyDigest: n.bodyDigest,
    createdAt: reportedTime(n.createdAt, 'created_at for the note'),
    service,
  };
}

/** E8: the label record (`observedAt`: when the flow read the labels back, on its clock). */
export function labelRecord(
  client: GitLabClient,
  project: string,
  iid: number,
  governed: boolean,
  l: LabelResult,
  observedAt: string,
): LabelRecord {
  return {
    apiUrl: apiUrl(client, project, `/merge_requests/${iid}`),
    observedAt,
    name: l.name,
    governed,
    present: l.present,
    addedAt: l.addedAt ? utc(l.addedAt) : null,
  };
}
