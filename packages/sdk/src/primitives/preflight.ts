/**
 * Preflight: checks U2, P1–P6 and D1/D2 before anything changes, and reports every
 * problem at once rather than stopping at the first.
 */
import type { RunbookId } from '@hotfix-release/evidence';
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  inputsSupport,
  mayPushBranch,
  type OrchestrationFacts,
  orchestrationFacts,
  readInstanceMetadata,
} from '../_internal/capabilities.js';
import { fromBody } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { type PickPlan, resolvePickPlan } from '../_internal/pick-plan.js';
import type { GitLabMergeRequest } from '../_internal/schemas.js';
import { isoNow } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import { checkTokenCan, INSPECTION_OPERATIONS } from '../token-kinds.js';

/** One problem (or warning) preflight found. */
export interface PreflightFinding {
  /** Stable kebab-case code, e.g. `mr-not-merged`. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly runbookRef: RunbookId;
  readonly message: string;
  /** The target project it concerns, when it concerns one. */
  readonly target?: string;
  /** The document to follow instead (U2: the service's own staging process). */
  readonly document?: string;
}

/** What preflight saw of one target project. */
export interface PreflightTarget {
  readonly project: string;
  readonly releaseBranch: string;
  readonly releaseHead?: string;
  readonly releaseProtected?: boolean;
  readonly canPush?: boolean;
  readonly accessLevel?: number;
  /**
   * Commits the default branch has that release lacks (D2), counted from the commit list
   * (no diffs downloaded) up to `cutOffWarningCommits`: at that bound it means "at least".
   */
  readonly behindDefaultBy?: number;
}

/** The full preflight report: `ok` is true when no finding is an error. */
export interface PreflightReport {
  readonly ok: boolean;
  /** ISO 8601 UTC. */
  readonly checkedAt: string;
  readonly mr: {
    readonly project: string;
    readonly iid: number;
    readonly title?: string;
    readonly state?: string;
    readonly webUrl?: string;
    readonly mergedAt?: string | null;
  };
  readonly plan?: PickPlan;
  readonly targets: readonly PreflightTarget[];
  readonly findings: readonly PreflightFinding[];
}

/** Options of `preflight`. */
export const preflightOptionsSchema = z.object({
  /** The hotfix MR: its project path and iid (`group/project!42`). */
  mr: z.object({ project: z.string().min(1), iid: z.number().int().positive() }),
  /** Target projects; the MR's project when omitted. */
  targets: z.array(z.string().min(1)).min(1).optional(),
});

/** Options of `preflight` as callers write them. */
export type PreflightOptions = z.input<typeof preflightOptionsSchema>;

async function settle<T>(r: ResultAsync<T, HotfixError>): Promise<Result<T, HotfixError>> {
  return r;
}

/**
 * P3 when release refuses this user's pushes: a warning when the pick goes through a merge request
 * instead (the service's `pickMode` is `merge-request`, or `auto`, and GitLab says pushes are refused
 * to someone who may open merge requests: Developer or more), an error otherwise.
 */
function pushRefusedFinding(
  config: RunbookConfig,
  target: string,
  releaseBranch: string,
  canPush: boolean | undefined,
  accessLevel: number | undefined,
): PreflightFinding {
  const mode = serviceFor(config, target)?.pickMode ?? 'auto';
  const mayOpenMr = accessLevel === undefined || accessLevel >= 30;
  if (mode !== 'push' && canPush === false && mayOpenMr) {
    return {
      code: 'pick-through-merge-request',
      severity: 'warning',
      runbookRef: 'S2',
      target,
      message: `${target}:${releaseBranch} refuses this user's pushes but accepts merge requests: the pick goes through a release merge request (pick mode merge-request), which someone must approve.`,
    };
  }
  return {
    code: 'cannot-push-release',
    severity: 'error',
    runbookRef: 'P3',
    target,
    message: `This token may not cherry-pick into ${target}:${releaseBranch}${mode === 'push' ? ' (pick mode push)' : ''}.`,
  };
}

/** 404 and 403 are findings; anything else (401, network, rate limit) stops preflight. */
function fatal(e: HotfixError): boolean {
  return e.code !== 'gitlab-not-found' && e.code !== 'gitlab-forbidden';
}

/**
 * Checks the prerequisites and decision points before a promotion: MR merged (D1) and
 * approved (P1), the commits to pick for its merge method (S2), each target known
 * with a complete service descriptor (P2, P5, P6), release present, protected and
 * pushable (P3), the orchestration project reachable with pipeline rights and the
 * guided inputs declared (P4), a refusal for a service whose descriptor names its own
 * staging process (U2, naming the document), and a warning when release lags the default
 * branch so far that a cut-off looks intended (D2; counted from the commit list, no diffs). Returns a report listing ALL findings;
 * errors are only for failures that stop the check itself (`gitlab-unauthorized`,
 * `network`, `gitlab-rate-limited`, `invalid-input`, ...), and `token-insufficient` for a CI/CD job
 * token, which cannot read the merge request (refused before any request).
 *
 * @example
 * ```ts
 * const report = await preflight(client, config, { mr: { project: 'evenergi/charging-api', iid: 7 } });
 * if (report.isOk() && !report.value.ok) console.log(report.value.findings);
 * ```
 * @see U2 P1 P2 P3 P4 P5 P6 D1 D2 S1
 */
export function preflight(
  client: GitLabClient,
  config: RunbookConfig,
  options: PreflightOptions,
): ResultAsync<PreflightReport, HotfixError> {
  const parsed = parseOptions(preflightOptionsSchema, options, 'preflight');
  if (parsed.isErr()) return errAsync(parsed.error);
  const can = checkTokenCan(client.tokenKind, INSPECTION_OPERATIONS, 'preflight');
  if (can.isErr()) return errAsync(can.error);
  const opts = parsed.value;
  return fromBody(run(client, config, opts));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  opts: z.output<typeof preflightOptionsSchema>,
): Promise<PreflightReport> {
  const findings: PreflightFinding[] = [];
  const add = (f: PreflightFinding) => findings.push(f);
  const stopOn = (e: HotfixError) => {
    if (fatal(e)) throw e;
  };
  const { project, iid } = opts.mr;
  const targets = opts.targets ?? [project];

  // S1 / D1 / P1: the MR.
  let mr: GitLabMergeRequest | undefined;
  const mrRes = await settle(client.mergeRequest(project, iid));
  if (mrRes.isErr()) {
    stopOn(mrRes.error);
    add({
      code: 'mr-not-found',
      severity: 'error',
      runbookRef: 'P1',
      message: `${project}!${iid} was not found or is not visible to this token.`,
    });
  } else mr = mrRes.value;

  let plan: PickPlan | undefined;
  if (mr) {
    if (mr.state !== 'merged') {
      const what =
        mr.state === 'opened' ? 'still open' : mr.state === 'closed' ? 'closed without being merged' : `${mr.state}`;
      add({
        code: 'mr-not-merged',
        severity: 'error',
        runbookRef: 'D1',
        message: `${project}!${iid} is ${what}: stop, finish development and review first.`,
      });
    } else {
      const planRes = await settle(resolvePickPlan(client, project, mr));
      if (planRes.isOk()) plan = planRes.value;
      else {
        stopOn(planRes.error);
        add({
          code: 'picks-unresolved',
          severity: 'error',
          runbookRef: 'S2',
          message: `Could not find the commit(s) ${project}!${iid} landed as: ${planRes.error.message}`,
        });
      }
    }
    if (config.requireApproval) {
      const ap = await settle(client.approvals(project, iid));
      if (ap.isErr()) {
        stopOn(ap.error);
        add({
          code: 'approvals-unknown',
          severity: 'warning',
          runbookRef: 'P1',
          message: `Could not read approvals of ${project}!${iid}; confirm it was approved for staging.`,
        });
      } else {
        const a = ap.value;
        const left = a.approvals_left ?? (a.approved === false ? 1 : 0);
        if (left > 0 || (a.approved === false && a.approved_by.length === 0)) {
          add({
            code: 'mr-not-approved',
            severity: 'error',
            runbookRef: 'P1',
            message: `${project}!${iid} still needs ${Math.max(left, 1)} approval(s) before it may go to staging.`,
          });
        }
      }
    }
  }

  // P2, P3, P5, P6, D2: each target.
  const seen: PreflightTarget[] = [];
  for (const target of targets) {
    const svc = serviceFor(config, target);
    const releaseBranch = svc?.releaseBranch ?? config.releaseBranch;
    if (!svc) {
      add({
        code: 'service-descriptor-missing',
        severity: 'error',
        runbookRef: 'P5',
        target,
        message: `No service descriptor for ${target}: say where its deployment, health and checks are (D5).`,
      });
    } else {
      if (svc.ownStagingProcess)
        add({
          code: 'own-staging-process',
          severity: 'error',
          runbookRef: 'U2',
          target,
          document: svc.ownStagingProcess,
          message: `${target} documents its own staging process (${svc.ownStagingProcess}): follow it, not this runbook.`,
        });
      if (!svc.health)
        add({
          code: 'health-unknown',
          severity: 'warning',
          runbookRef: 'P5',
          target,
          message: `${target} has no health endpoint in its descriptor; E5 will rest on the deployment record alone.`,
        });
      if (svc.smokeChecks.length === 0)
        add({
          code: 'smoke-checks-missing',
          severity: 'error',
          runbookRef: 'P6',
          target,
          message: `${target} has no smoke or acceptance checks: name the hotfix's checks before promoting.`,
        });
    }
    const proj = await settle(client.project(target));
    if (proj.isErr()) {
      stopOn(proj.error);
      add({
        code: 'target-not-found',
        severity: 'error',
        runbookRef: 'P2',
        target,
        message: `Target project ${target} was not found or is not visible to this token.`,
      });
      seen.push({ project: target, releaseBranch });
      continue;
    }
    if (plan && target !== project) {
      const first = plan.picks[0];
      const known = first ? await settle(client.commit(target, first.sha)) : undefined;
      if (known?.isErr()) {
        stopOn(known.error);
        add({
          code: 'hotfix-not-in-target',
          severity: 'error',
          runbookRef: 'P2',
          target,
          message: `${target} does not contain ${first?.sha.slice(0, 12)}: the hotfix must be merged there (or the repository must share its history) to pick it.`,
        });
      }
    }
    const perms = proj.value.permissions;
    const accessLevel =
      Math.max(perms?.project_access?.access_level ?? 0, perms?.group_access?.access_level ?? 0) || undefined;
    const branch = await settle(client.branch(target, releaseBranch));
    if (branch.isErr()) {
      stopOn(branch.error);
      add({
        code: 'release-branch-missing',
        severity: 'error',
        runbookRef: 'P3',
        target,
        message: `${target} has no branch "${releaseBranch}".`,
      });
      seen.push({ project: target, releaseBranch, ...(accessLevel ? { accessLevel } : {}) });
      continue;
    }
    const b = branch.value;
    if (!b.protected)
      add({
        code: 'release-not-protected',
        severity: 'warning',
        runbookRef: 'P3',
        target,
        message: `${target}:${releaseBranch} is not protected; anyone with push rights can move it.`,
      });
    const canPush = mayPushBranch(b, accessLevel);
    if (!canPush) add(pushRefusedFinding(config, target, releaseBranch, b.can_push, accessLevel));
    let behind: number | undefined;
    const defaultBranch = proj.value.default_branch;
    if (defaultBranch && defaultBranch !== releaseBranch) {
      // Count from the commit list of `release..default` (GitLab takes a revision range):
      // no diff is downloaded, and only as many commits as the warning needs are read.
      const bound = config.cutOffWarningCommits;
      const perPage = Math.min(100, bound);
      const list = await settle(
        client.commits(
          target,
          { ref_name: `${releaseBranch}..${defaultBranch}` },
          { perPage, maxPages: Math.ceil(bound / perPage), onLimit: 'partial' },
        ),
      );
      if (list.isOk()) {
        behind = Math.min(list.value.items.length, bound);
        if (behind >= bound) {
          add({
            code: 'release-far-behind',
            severity: 'warning',
            runbookRef: 'D2',
            target,
            message: `${target}:${releaseBranch} lacks at least ${behind} commits of ${defaultBranch}; if release needs a full resync, use the cut-off process, not this runbook.`,
          });
        }
      } else stopOn(list.error);
    }
    seen.push({
      project: target,
      releaseBranch,
      releaseHead: b.commit.id,
      releaseProtected: b.protected,
      canPush,
      ...(accessLevel ? { accessLevel } : {}),
      ...(behind !== undefined ? { behindDefaultBy: behind } : {}),
    });
  }

  // P4: the orchestration project, pipeline rights on its ref and its guided inputs.
  checkOrchestration(await orchestrationFacts(client, config.orchestration), config, add, stopOn);
  const instance = await readInstanceMetadata(client);
  if (
    instance.isOk() &&
    config.orchestration.inputsVia === 'inputs' &&
    inputsSupport(instance.value.version) === 'none'
  )
    add({
      code: 'inputs-unsupported',
      severity: 'error',
      runbookRef: 'P4',
      message: `GitLab ${instance.value.version} ignores pipeline inputs (they need 17.10 or later): set orchestration.inputsVia to "variables".`,
    });

  return {
    ok: !findings.some((f) => f.severity === 'error'),
    checkedAt: isoNow(client.clock),
    mr: {
      project,
      iid,
      ...(mr ? { title: mr.title, state: mr.state, webUrl: mr.web_url, mergedAt: mr.merged_at ?? null } : {}),
    },
    ...(plan ? { plan } : {}),
    targets: seen,
    findings,
  };
}

function checkOrchestration(
  facts: OrchestrationFacts,
  config: RunbookConfig,
  add: (f: PreflightFinding) => void,
  stopOn: (e: HotfixError) => void,
): void {
  const orch = config.orchestration;
  if (facts.project.isErr()) {
    stopOn(facts.project.error);
    add({
      code: 'orchestration-not-found',
      severity: 'error',
      runbookRef: 'P4',
      message: `Orchestration project ${orch.project} was not found or is not visible to this token.`,
    });
    return;
  }
  const { accessLevel } = facts.project.value;
  const ref = facts.ref;
  if (ref?.isErr()) stopOn(ref.error);
  if (ref?.isOk() && ref.value.allowed === false)
    add({
      code: 'cannot-run-pipeline',
      severity: 'error',
      runbookRef: 'P4',
      message: ref.value.protected
        ? `This token may not create pipelines on the protected ${orch.project}:${orch.ref} (only those who may push or merge into it may; access level ${accessLevel}).`
        : `This token may not create pipelines in ${orch.project} (access level ${accessLevel}).`,
    });
  if (facts.ci?.isErr()) {
    stopOn(facts.ci.error);
    add({
      code: 'orchestration-ci-missing',
      severity: 'error',
      runbookRef: 'P4',
      message: `${orch.project} has no CI configuration on ${orch.ref} (its ci_config_path or .gitlab-ci.yml).`,
    });
  } else if (orch.inputsVia === 'inputs' && facts.missingInputs && facts.missingInputs.length > 0) {
    add({
      code: 'orchestration-inputs-missing',
      severity: 'error',
      runbookRef: 'P4',
      message: `${orch.project}'s CI does not declare the guided inputs (${facts.missingInputs.join(', ')}) in its spec header.`,
    });
  }
}
