/**
 * A realistic, valid evidence bundle for tests. One function builds it so that it can be swapped for a
 * bundle recorded from a real simulator promotion later (replace the body of `buildPromotionBundle`
 * with a read of that JSON file; the tests only rely on the exported names below).
 */
import { createHash } from 'node:crypto';
import { type PromotionBundle, SCHEMA_VERSION, type TargetRecord } from '../src/index.js';

/** A deterministic fake git SHA-1 for a label. */
export function fakeSha(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

/** `sha256:` of a label, for output and body digests. */
export function fakeDigest(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

const GITLAB = 'https://gitlab.example.com';
const API = `${GITLAB}/api/v4`;
const ORCHESTRATION = 'evenergi/develop';

/** Options of the fixture builder. */
export interface FixtureOptions {
  /** Target projects, all promoted. */
  readonly targets?: readonly string[];
  /** Whether the MR is governed delivery work (E8 applies). */
  readonly governed?: boolean;
  /** Schema 3.x, D4 across repositories: each target promotes its own MR (`<target>!42`) instead of one shared MR. */
  readonly split?: boolean;
}

/** The clock the fixture's timestamps were taken on; pass it as `now` to freshness checks. */
export const FIXTURE_NOW = '2026-11-30T01:30:00.000Z';

function at(minute: number, second = 0): string {
  return `2026-11-30T01:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
}

function enc(project: string): string {
  return encodeURIComponent(project);
}

function target(project: string, index: number, hotfixSha: string, mrProject = project): Omit<TargetRecord, 'hotfix'> {
  const p = enc(project);
  const before = fakeSha(`${project}:release-before`);
  const picked = fakeSha(`${project}:picked`);
  const pipelineId = 5000 + index;
  const downstreamId = 7000 + index;
  return {
    project,
    outcome: 'promoted',
    pick: {
      apiUrl: `${API}/projects/${p}/repository/commits/${hotfixSha}/cherry_pick`,
      observedAt: at(1, 10 + index),
      releaseBranch: 'release',
      headBefore: before,
      headAfter: picked,
      picks: [
        {
          originalSha: hotfixSha,
          pickedSha: picked,
          trailer: `(cherry picked from commit ${hotfixSha})`,
          method: 'api',
        },
      ],
    },
    drift: {
      apiUrl: `${API}/projects/${p}/repository/compare?from=${before}&to=${picked}`,
      observedAt: at(1, 20 + index),
      ok: true,
      base: before,
      head: picked,
      kinds: [],
      extraCommits: [],
      missingCommits: [],
    },
    conflicts: [],
    pipeline: {
      apiUrl: `${API}/projects/${enc(ORCHESTRATION)}/pipelines/${pipelineId}`,
      observedAt: at(2, 5 + index),
      id: pipelineId,
      iid: 300 + index,
      project: ORCHESTRATION,
      ref: 'main',
      sha: fakeSha('orchestration-main'),
      status: 'success',
      webUrl: `${GITLAB}/${ORCHESTRATION}/-/pipelines/${pipelineId}`,
      createdAt: at(2, index),
      source: 'api',
      inputs: { action: 'deploy-release-branch-to-staging', project, confirm: true },
      variables: [],
      // E2 provenance: the request as sent, and what the pipeline observably ran (jobs, downstream).
      sent: { ref: 'main', inputs: { action: 'deploy-release-branch-to-staging', project, confirm: true } },
      observed: {
        apiUrl: `${API}/projects/${enc(ORCHESTRATION)}/pipelines/${pipelineId}/bridges`,
        observedAt: at(5, index),
        jobs: ['confirmation-required', 'deploy-release-branch-to-staging'],
        deployFingerprint: ['deploy-release-branch-to-staging'],
        cutOffFingerprint: ['bring-all-code-to-release-branch', 'deploy-after-cut-off'],
        downstream: { project, pipelineId: downstreamId, ref: 'release', via: 'bridge' },
      },
    },
    enumeration: {
      apiUrl: `${API}/projects/${enc(ORCHESTRATION)}/pipelines?updated_after=${at(0)}&per_page=100`,
      observedAt: at(9),
      query: `GET /projects/${ORCHESTRATION}/pipelines?updated_after=${at(0)}&updated_before=${at(9)}&per_page=100`,
      windowStart: at(0),
      windowEnd: at(9),
      pagesRead: 2,
      pagesExhausted: true,
      pipelinesExamined: 131,
      offendingPipelineIds: [],
      // E3: each pipeline of the window classified by its jobs (this promotion's own, and another run).
      pipelines: [
        { id: 4990, createdAt: at(0, 30), classification: 'other', basis: 'observed' },
        { id: pipelineId, createdAt: at(2, index), classification: 'deploy', basis: 'observed', target: project },
      ],
      outsideWindow: 0,
    },
    deployment: {
      downstreamPipeline: {
        apiUrl: `${API}/projects/${p}/pipelines/${downstreamId}`,
        observedAt: at(5, index),
        id: downstreamId,
        project,
        status: 'success',
        sha: picked,
        webUrl: `${GITLAB}/${project}/-/pipelines/${downstreamId}`,
      },
      job: {
        apiUrl: `${API}/projects/${p}/jobs/${9000 + index}`,
        observedAt: at(5, index),
        id: 9000 + index,
        name: 'deploy-staging',
        status: 'success',
        finishedAt: at(4, 50),
      },
      deployment: {
        apiUrl: `${API}/projects/${p}/deployments/${800 + index}`,
        observedAt: at(5, index),
        id: 800 + index,
        status: 'success',
        sha: picked,
        environment: 'staging',
        finishedAt: at(4, 55),
      },
    },
    deployedSha: {
      environment: {
        apiUrl: `${API}/projects/${p}/environments/12`,
        observedAt: at(5, 5),
        name: 'staging',
        sha: picked,
      },
      health: {
        apiUrl: `https://${project.split('/')[1]}.staging.example.com/healthz`,
        observedAt: at(5, 6),
        sha: picked,
        version: '4.2.1',
        httpStatus: 200,
      },
    },
    // E1/E5: what the deployment ran beyond the release head the promotion started from: exactly its pick.
    deployedCommits: {
      apiUrl: `${API}/projects/${p}/repository/compare?from=${before}&to=${picked}&straight=true`,
      observedAt: at(5, 4),
      base: before,
      deployed: picked,
      commits: [{ sha: picked, title: 'Fix tariff rounding for partial kWh' }],
      exhaustive: true,
    },
    smokeChecks: [
      {
        apiUrl: `https://${project.split('/')[1]}.staging.example.com/v1/sessions`,
        observedAt: at(5, 11),
        name: 'sessions endpoint answers',
        kind: 'http',
        result: 'passed',
        startedAt: at(5, 10),
        durationMs: 412,
        outputDigest: fakeDigest(`${project}:smoke-1`),
      },
      {
        apiUrl: `https://${project.split('/')[1]}.staging.example.com/v1/tariffs`,
        observedAt: at(5, 15),
        name: 'tariff rounding fixed',
        kind: 'script',
        result: 'passed',
        startedAt: at(5, 12),
        durationMs: 2870,
        outputDigest: fakeDigest(`${project}:smoke-2`),
      },
    ],
    note: {
      apiUrl: `${API}/projects/${enc(mrProject)}/merge_requests/42/notes/${61000 + index}`,
      observedAt: at(6, 1),
      id: 61000 + index,
      url: `${GITLAB}/${mrProject}/-/merge_requests/42#note_${61000 + index}`,
      bodyDigest: fakeDigest(`${project}:note`),
      createdAt: at(6),
      service: project,
    },
    label: {
      apiUrl: `${API}/projects/${enc(mrProject)}/merge_requests/42/resource_label_events`,
      observedAt: at(6, 10),
      name: 'Validated in Staging',
      governed: true,
      present: true,
      addedAt: at(6, 5),
    },
    rollbacks: [],
  };
}

/** Builds a valid, unsealed bundle: every target promoted, every record consistent. */
export function buildPromotionBundle(options: FixtureOptions = {}): PromotionBundle {
  const projects = options.targets ?? ['fleet/charging-api', 'fleet/billing-api'];
  const mrProjects = options.split ? projects : [projects[0] ?? 'fleet/charging-api'];
  const hotfixes = mrProjects.map((mrProject) => ({
    mr: {
      project: mrProject,
      iid: 42,
      webUrl: `${GITLAB}/${mrProject}/-/merge_requests/42`,
      mergeMethod: 'merge' as const,
      mergedAt: '2026-11-30T00:30:00.000Z',
    },
    commits: [
      {
        sha: fakeSha(options.split ? `hotfix-merge-commit-${mrProject}` : 'hotfix-merge-commit'),
        title: 'Fix tariff rounding for partial kWh',
      },
    ],
    governed: options.governed ?? true,
  }));
  const targets = projects.map((project, i) => {
    const h = hotfixes[options.split ? i : 0] ?? hotfixes[0];
    const t = { ...target(project, i, h?.commits[0]?.sha ?? '', h?.mr.project), hotfix: `${h?.mr.project}!42` };
    if (options.governed === false && t.label) t.label = { ...t.label, governed: false };
    return t;
  });
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'hotfix-release', version: '0.1.0' },
    operator: { username: 'oncall.alice', id: 17 },
    gitlabUrl: GITLAB,
    startedAt: at(0),
    completedAt: at(9, 30),
    settings: {
      orchestrationProject: ORCHESTRATION,
      releaseBranch: 'release',
      environment: 'staging',
      label: 'Validated in Staging',
    },
    hotfixes,
    targets,
    promotedTargets: [...projects],
  };
}

/**
 * The same promotion as a 2.x bundle (one `hotfix`, targets not naming it), as an older version wrote it:
 * for the readers' compatibility tests.
 */
export function buildLegacyBundle(options: FixtureOptions = {}, schemaVersion = '2.0.0'): Record<string, unknown> {
  const { hotfixes, targets, ...rest } = buildPromotionBundle({ ...options, split: false });
  return {
    ...rest,
    schemaVersion,
    hotfix: hotfixes[0],
    targets: targets.map(({ hotfix: _ref, ...t }) => t),
  };
}
