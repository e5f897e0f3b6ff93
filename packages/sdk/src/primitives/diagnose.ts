/**
 * diagnose: one read-only pass over the real instance that tells, finding by finding with a fix,
 * whether this runbook configuration and this token can work there: GitLab's version and
 * edition, the token's identity, kind and scopes, which transport the guided inputs need, the
 * right to run pipelines on the orchestration ref, release's pushability, each service's
 * environment, deploy jobs and health endpoint, and whether E2/E3 can rest on observed jobs.
 */
import type { RunbookId } from '@hotfix-release/evidence';
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  type CiConfigFile,
  inputsSupport,
  isAccessError,
  type OrchestrationFacts,
  orchestrationFacts,
  readInstanceMetadata,
  specHeader,
} from '../_internal/capabilities.js';
import { fromBody } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { isoNow } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import { INSPECTION_OPERATIONS, PROMOTION_OPERATIONS, tokenCannot } from '../token-kinds.js';
import { checkObserved } from './diagnose/observed.js';
import { checkTargets } from './diagnose/targets.js';
import { type Add, type DiagnoseFinding, mustContinue } from './diagnose/types.js';

export type { DiagnoseFinding, DiagnoseStatus } from './diagnose/types.js';

/** What `diagnose` saw, with one finding per check (`ok` is false when any finding is `fail`). */
export interface DiagnoseReport {
  readonly ok: boolean;
  /** ISO 8601 UTC. */
  readonly checkedAt: string;
  readonly gitlab: {
    readonly url: string;
    /** As `/metadata` (or `/version`) reports it, when readable. */
    readonly version?: string;
    /** Enterprise Edition; absent when the instance does not say. */
    readonly enterprise?: boolean;
  };
  readonly token: {
    readonly username?: string;
    /** `personal` when `/personal_access_tokens/self` describes it, `other` when it does not (OAuth, job token). */
    readonly kind: 'personal' | 'other' | 'unknown';
    readonly name?: string;
    readonly scopes?: readonly string[];
    readonly expiresAt?: string | null;
  };
  /** How the guided inputs travel: as configured, and as the instance and orchestrator need. */
  readonly transport: { readonly configured: 'inputs' | 'variables'; readonly needed?: 'inputs' | 'variables' };
  readonly findings: readonly DiagnoseFinding[];
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

/** Options of `diagnose`. */
export const diagnoseOptionsSchema = z
  .object({
    /** Target projects to check; every configured service when omitted. */
    targets: z.array(z.string().min(1)).min(1).optional(),
    /** Request each service's health endpoint (a GET to the service, not to GitLab). */
    health: z.boolean().default(true),
    /** How many recent orchestration pipelines to compare with the deploy fingerprint (E2/E3). */
    recentPipelines: z.number().int().min(1).max(20).default(5),
    /** fetch for the health endpoints (the global one by default). */
    fetch: fn<typeof fetch>('a fetch function').optional(),
  })
  .default({ health: true, recentPipelines: 5 });

/** Options of `diagnose` as callers write them. */
export type DiagnoseOptions = z.input<typeof diagnoseOptionsSchema>;

const tokenSelfSchema = z.object({
  name: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  active: z.boolean().optional(),
  revoked: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
});

/**
 * Checks, without changing anything, whether the runbook can work on this GitLab with this token
 * and configuration, and says for each finding how to fix it. Every GitLab request is a GET
 * (health endpoints are requested with GET too, unless `health: false`). Errors are only for
 * failures that stop the pass itself (`network`, `timeout`, `gitlab-unavailable`,
 * `gitlab-rate-limited`, `invalid-input`); a rejected token is a `fail` finding, and so is a CI/CD
 * job token (`token-kind`, before any request: it cannot read the user or the merge request).
 *
 * @example
 * ```ts
 * const report = await diagnose(client, config);
 * if (report.isOk()) for (const f of report.value.findings) console.log(f.status, f.id, f.message, f.fix);
 * ```
 * @see P3 P4 P5 E2 E3 E5
 */
export function diagnose(
  client: GitLabClient,
  config: RunbookConfig,
  options: DiagnoseOptions = {},
): ResultAsync<DiagnoseReport, HotfixError> {
  const parsed = parseOptions(diagnoseOptionsSchema, options, 'diagnose');
  if (parsed.isErr()) return errAsync(parsed.error);
  return fromBody(run(client, config, parsed.value));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  opts: z.output<typeof diagnoseOptionsSchema>,
): Promise<DiagnoseReport> {
  const findings: DiagnoseFinding[] = [];
  const add: Add = (f) => findings.push(f);
  const report = (
    gitlab: DiagnoseReport['gitlab'],
    token: DiagnoseReport['token'],
    transport: DiagnoseReport['transport'],
  ): DiagnoseReport => ({
    ok: !findings.some((f) => f.status === 'fail'),
    checkedAt: isoNow(client.clock),
    gitlab,
    token,
    transport,
    findings,
  });
  const configured = config.orchestration.inputsVia;
  if (client.tokenKind === 'job') {
    add(jobTokenFinding(client));
    return report({ url: client.gitlabUrl }, { kind: 'other' }, { configured });
  }
  const user = await client.currentUser();
  if (user.isErr()) {
    if (user.error.code !== 'gitlab-unauthorized') throw user.error;
    add({
      id: 'token-identity',
      status: 'fail',
      runbookRef: 'P4',
      message: `GitLab at ${client.gitlabUrl} rejects this token (401): it is wrong, expired or revoked.`,
      fix: 'Set GITLAB_TOKEN to a valid personal, project or group access token with the api scope.',
    });
    return report({ url: client.gitlabUrl }, { kind: 'unknown' }, { configured });
  }
  const gitlab = await checkVersion(client, add);
  const token = await checkToken(client, user.value.username, add);
  const facts = await orchestrationFacts(client, config.orchestration, user.value.id);
  const needed = checkTransport(config, gitlab.version, facts, add);
  checkOrchestrationRef(config, facts, add);
  checkPipelineVariables(config, facts, add);
  const targets = opts.targets ?? config.services.map((s) => s.project);
  await checkTargets(client, config, targets, { health: opts.health, fetch: opts.fetch ?? fetch }, add);
  await checkObserved(client, config, targets, opts.recentPipelines, add);
  return report(gitlab, token, { configured, ...(needed ? { needed } : {}) });
}

/**
 * A CI/CD job token cannot read the user (`/user`), the merge request, nor cherry-pick or create
 * pipelines (GitLab's job-token allowlist), so the pass stops before any request with one finding.
 */
function jobTokenFinding(client: GitLabClient): DiagnoseFinding {
  const ops = [...new Set([...INSPECTION_OPERATIONS, ...PROMOTION_OPERATIONS])];
  const cannot = ['read the current user (GET /user)', ...tokenCannot(client.tokenKind, ops).map((o) => o.what)];
  return {
    id: 'token-kind',
    status: 'fail',
    runbookRef: 'P3',
    message: `A CI/CD job token (CI_JOB_TOKEN) cannot, on GitLab's job-token allowlist: ${cannot.join('; ')}. The runbook cannot run with it; nothing was requested from ${client.gitlabUrl}.`,
    fix: 'Use a personal, project or group access token with the api scope in GITLAB_TOKEN (without --job-token, and without gitlab.tokenKind "job" in the user configuration).',
  };
}

async function checkVersion(client: GitLabClient, add: Add): Promise<DiagnoseReport['gitlab']> {
  const meta = await readInstanceMetadata(client);
  if (meta.isErr()) {
    mustContinue(meta.error);
    add({
      id: 'gitlab-version',
      status: 'warn',
      runbookRef: 'P4',
      message: `Could not read GitLab's version (${meta.error.code}); whether pipeline inputs exist is unknown.`,
      fix: 'Let /api/v4/metadata (or /api/v4/version) through any proxy, or confirm the version with an administrator.',
    });
    return { url: client.gitlabUrl };
  }
  const { version, enterprise } = meta.value;
  const edition = enterprise === undefined ? '' : enterprise ? ' Enterprise Edition' : ' Community Edition';
  add({
    id: 'gitlab-version',
    status: 'ok',
    runbookRef: 'P4',
    message: `GitLab ${version}${edition} at ${client.gitlabUrl}.`,
    fix: '',
  });
  return { url: client.gitlabUrl, version, ...(enterprise !== undefined ? { enterprise } : {}) };
}

const EXPIRY_WARNING_DAYS = 7;

async function checkToken(client: GitLabClient, username: string, add: Add): Promise<DiagnoseReport['token']> {
  const self = await client.request({ method: 'GET', route: '/personal_access_tokens/self' }, tokenSelfSchema);
  if (self.isErr()) {
    if (!isAccessError(self.error) && self.error.code !== 'gitlab-unauthorized') throw self.error;
    add({
      id: 'token-scopes',
      status: 'warn',
      runbookRef: 'P3',
      message: `The token of @${username} is not a personal access token GitLab describes (OAuth, CI/CD job token, or a GitLab before 15.5): its scopes cannot be read. A job token cannot cherry-pick or create pipelines on most instances.`,
      fix: 'Use a personal, project or group access token with the api scope (GITLAB_TOKEN) to be sure.',
    });
    return { username, kind: 'other' };
  }
  const t = self.value;
  const token = { username, kind: 'personal' as const, scopes: t.scopes, expiresAt: t.expires_at ?? null };
  const named = `Token${t.name ? ` "${t.name}"` : ''} of @${username}`;
  const inactive = t.active === false || t.revoked === true;
  if (inactive || !t.scopes.includes('api')) {
    add({
      id: 'token-scopes',
      status: 'fail',
      runbookRef: 'P3',
      message: inactive
        ? `${named} is revoked or expired.`
        : `${named} has the scopes ${t.scopes.join(', ') || 'none'} but not api: it may read, but not cherry-pick, label, comment or create pipelines.`,
      fix: 'Create a personal (or project) access token with the api scope and set GITLAB_TOKEN to it.',
    });
    return { ...token, ...(t.name ? { name: t.name } : {}) };
  }
  const days = t.expires_at ? (Date.parse(`${t.expires_at}T00:00:00Z`) - client.clock.now()) / 86_400_000 : undefined;
  const soon = days !== undefined && days < EXPIRY_WARNING_DAYS;
  add({
    id: 'token-scopes',
    status: soon ? 'warn' : 'ok',
    runbookRef: 'P3',
    message: `${named}: personal access token, scopes ${t.scopes.join(', ')}${t.expires_at ? `, expires ${t.expires_at}` : ', no expiry'}.`,
    fix: soon ? 'Rotate the token before it expires, mid-promotion.' : '',
  });
  return { ...token, ...(t.name ? { name: t.name } : {}) };
}

function ciName(ci: CiConfigFile): string {
  return `${ci.project}:${ci.path}@${ci.ref}`;
}

/** Which transport the guided inputs need (P4, S4): from the version and the orchestrator's `spec:inputs`. */
function checkTransport(
  config: RunbookConfig,
  version: string | undefined,
  facts: OrchestrationFacts,
  add: Add,
): 'inputs' | 'variables' | undefined {
  const orch = config.orchestration;
  const base = { id: 'inputs-transport', runbookRef: 'P4' as RunbookId };
  const support = version ? inputsSupport(version) : 'unknown';
  const ci = facts.ci?.isOk() ? facts.ci.value : undefined;
  if (facts.ci?.isErr()) {
    mustContinue(facts.ci.error);
    add({
      id: 'orchestrator-ci',
      status: 'fail',
      runbookRef: 'P4',
      message: `${orch.project} has no readable CI configuration on ${orch.ref} (${facts.ci.error.message}).`,
      fix: `Check runbook.orchestration.project and .ref, and the project's CI/CD configuration file (ci_config_path).`,
    });
  }
  const declares = ci ? specHeader(ci.text) !== undefined : undefined;
  const missing = facts.missingInputs ?? [];
  const needed = declares === undefined ? undefined : declares ? 'inputs' : 'variables';
  const supported = support === 'flag' || support === 'ga';
  if (orch.inputsVia === 'inputs' && support === 'none') {
    add({
      ...base,
      status: 'fail',
      message: `GitLab ${version} silently ignores pipeline inputs (they need 17.10, generally available from 18.1), but the configuration sends inputs.`,
      fix: 'Upgrade GitLab, or set runbook.orchestration.inputsVia to "variables" with an orchestrator that reads CI/CD variables.',
    });
  } else if (orch.inputsVia === 'inputs' && ci && missing.length > 0) {
    add({
      ...base,
      status: 'fail',
      message: `The orchestrator's CI (${ciName(ci)}) does not declare ${missing.join(', ')} in its spec:inputs header.`,
      fix: `Declare the guided inputs (${Object.values(orch.inputNames).join(', ')}, with ${orch.deployAction} among the action's options) under spec:inputs, or match runbook.orchestration.inputNames to its names.`,
    });
  } else if (orch.inputsVia === 'variables' && declares === true) {
    add({
      ...base,
      status: 'fail',
      message: `The orchestrator's CI (${ciName(ci as CiConfigFile)}) takes spec:inputs, but the configuration sends variables: the inputs would keep their defaults.`,
      fix: 'Set runbook.orchestration.inputsVia to "inputs" (GitLab 17.10 or later).',
    });
  } else if (orch.inputsVia === 'inputs' && support === 'flag') {
    add({
      ...base,
      status: 'warn',
      message: `GitLab ${version} takes pipeline inputs behind the ci_inputs_for_pipelines feature flag (on by default; generally available from 18.1).`,
      fix: 'Confirm with an administrator that the flag is on, or upgrade to 18.1 or later.',
    });
  } else {
    const unknown = orch.inputsVia === 'inputs' ? !supported || !ci : !ci;
    add({
      ...base,
      status: unknown ? 'warn' : 'ok',
      message: unknown
        ? `Could not confirm that the guided inputs can travel as ${orch.inputsVia} (version or orchestrator CI unreadable).`
        : `The guided inputs travel as ${orch.inputsVia}${ci ? `, as ${ciName(ci)} expects` : ''}.`,
      fix: unknown ? 'Fix the findings above, then run hotfix doctor again.' : '',
    });
  }
  return needed;
}

/** Whether this user may create pipelines on the orchestration ref (P4), protected refs included. */
function checkOrchestrationRef(config: RunbookConfig, facts: OrchestrationFacts, add: Add): void {
  const orch = config.orchestration;
  const where = `${orch.project}:${orch.ref}`;
  const base = { id: 'orchestration-ref', runbookRef: 'P4' as RunbookId };
  if (facts.project.isErr()) {
    mustContinue(facts.project.error);
    add({
      ...base,
      status: 'fail',
      message: `The orchestration project ${orch.project} was not found or is not visible to this token.`,
      fix: 'Check runbook.orchestration.project, and ask for at least the Developer role there.',
    });
    return;
  }
  const ref = facts.ref;
  if (!ref) return;
  if (ref.isErr()) {
    mustContinue(ref.error);
    add({
      ...base,
      status: 'fail',
      message: `${orch.project} has no branch "${orch.ref}" visible to this token.`,
      fix: 'Set runbook.orchestration.ref to the branch the orchestration pipeline runs on.',
    });
    return;
  }
  const r = ref.value;
  const rule = r.protected ? 'protected' : 'not protected';
  if (r.allowed === true)
    add({ ...base, status: 'ok', message: `You may create pipelines on ${where} (${rule}).`, fix: '' });
  else if (r.allowed === undefined)
    add({
      ...base,
      status: 'warn',
      message: `Could not tell whether you may create pipelines on ${where} (${rule}; its protection rules are not readable to this token).`,
      fix: `Ask a maintainer of ${orch.project} whether your role may push or merge into ${orch.ref}.`,
    });
  else if (r.protected)
    add({
      ...base,
      status: 'fail',
      message: `${where} is protected and your role (access level ${r.accessLevel}) may neither push nor merge into it, so GitLab refuses to create pipelines there.`,
      fix: `Ask a maintainer of ${orch.project} to allow your role to merge into ${orch.ref} (Settings > Repository > Protected branches), or run as someone who may.`,
    });
  else
    add({
      ...base,
      status: 'fail',
      message: `Your role in ${orch.project} (access level ${r.accessLevel}) may not create pipelines.`,
      fix: `Ask for at least the Developer role in ${orch.project}.`,
    });
}

/** GitLab's `ci_pipeline_variables_minimum_override_role` values as access levels (no_one_allowed: none). */
const VARIABLE_ROLES: Readonly<Record<string, number>> = {
  no_one_allowed: Number.POSITIVE_INFINITY,
  developer: 30,
  maintainer: 40,
  owner: 50,
};

/**
 * With `inputsVia: "variables"`, whether this user may set pipeline variables on the orchestration
 * project (P4): GitLab refuses the pipeline ("Insufficient permissions to set pipeline variables")
 * below the project's `ci_pipeline_variables_minimum_override_role` when `restrict_user_defined_variables`
 * is on (before 17.1, without the role: Maintainer). Inputs are not governed by it.
 */
function checkPipelineVariables(config: RunbookConfig, facts: OrchestrationFacts, add: Add): void {
  const orch = config.orchestration;
  if (orch.inputsVia !== 'variables' || facts.project.isErr()) return;
  const { accessLevel, hasPermissions, variables } = facts.project.value;
  const base = { id: 'pipeline-variables', runbookRef: 'P4' as RunbookId };
  const setting = 'Settings > CI/CD > Variables > "Minimum role to use pipeline variables"';
  if (variables.restricted === false) {
    add({ ...base, status: 'ok', message: `${orch.project} lets any Developer set pipeline variables.`, fix: '' });
    return;
  }
  const role = variables.minimumRole ?? (variables.restricted ? 'maintainer' : undefined);
  const needs = role === undefined ? undefined : VARIABLE_ROLES[role];
  if (needs === undefined || !hasPermissions) {
    add({
      ...base,
      status: 'warn',
      message: `Could not tell who may set pipeline variables on ${orch.project}: ${needs === undefined ? `the project does not show ci_pipeline_variables_minimum_override_role${role ? ` as a known role ("${role}")` : ' (GitLab shows it to maintainers, from 17.1)'}` : 'your role there is not shown'}.`,
      fix: `Ask a maintainer of ${orch.project} for the minimum role to use pipeline variables (${setting}); the guided variables need yours to be at least that.`,
    });
    return;
  }
  if (accessLevel >= needs) {
    add({
      ...base,
      status: 'ok',
      message: `Your role in ${orch.project} (access level ${accessLevel}) may set pipeline variables (minimum role: ${role}).`,
      fix: '',
    });
    return;
  }
  add({
    ...base,
    status: 'fail',
    message:
      role === 'no_one_allowed'
        ? `${orch.project} lets no one set pipeline variables (minimum role: no_one_allowed), but the configuration sends the guided inputs as variables: GitLab refuses the pipeline.`
        : `${orch.project} lets only ${role}s and above set pipeline variables, and your role (access level ${accessLevel}) is below: GitLab refuses the pipeline with "Insufficient permissions to set pipeline variables".`,
    fix: `Ask a maintainer of ${orch.project} to set the minimum role to use pipeline variables to your role or lower (${setting}, or ci_pipeline_variables_minimum_override_role in the projects API), or declare the guided inputs under spec:inputs and set runbook.orchestration.inputsVia to "inputs" (GitLab 17.10 or later; inputs are not governed by this setting).`,
  });
}
