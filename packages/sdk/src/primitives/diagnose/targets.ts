/** diagnose, per service: the project, release's pushability (P3), its environment, deploy jobs and health (P5). */
import type { RunbookId } from '@hotfix-release/evidence';
import { accessLevelOf, mayPushBranch, readCiConfig, topLevelJobNames } from '../../_internal/capabilities.js';
import type { GitLabClient } from '../../gitlab-client.js';
import { type RunbookConfig, type ServiceDescriptor, serviceFor } from '../../runbook-config.js';
import { checkHealth } from '../await-environment/health.js';
import { readReleaseLock, viewLock } from '../release-lock.js';
import { type Add, mustContinue } from './types.js';

/** How the per-service checks reach health endpoints. */
export interface TargetCheckOptions {
  readonly health: boolean;
  readonly fetch: typeof fetch;
}

type Service = ServiceDescriptor & { releaseBranch: string; environment: string };

/** Runs every per-service check for each target; a target without a descriptor is one `fail`. */
export async function checkTargets(
  client: GitLabClient,
  config: RunbookConfig,
  targets: readonly string[],
  opts: TargetCheckOptions,
  add: Add,
): Promise<void> {
  if (targets.length === 0)
    add({
      id: 'service-descriptor',
      status: 'fail',
      runbookRef: 'P5',
      message: 'No service is configured: nothing says where a hotfix deploys or how its health is read.',
      fix: 'Add one entry per service to runbook.services in hotfix.config.json (project, environment, deployJobs, health, smokeChecks).',
    });
  for (const target of targets) {
    const svc = serviceFor(config, target);
    if (!svc) {
      add({
        id: 'service-descriptor',
        status: 'fail',
        runbookRef: 'P5',
        target,
        message: `No service descriptor for ${target}.`,
        fix: `Add { "project": "${target}", ... } to runbook.services in hotfix.config.json.`,
      });
    }
    const releaseBranch = svc?.releaseBranch ?? config.releaseBranch;
    const proj = await client.project(target);
    if (proj.isErr()) {
      mustContinue(proj.error);
      add({
        id: 'target-project',
        status: 'fail',
        runbookRef: 'P2',
        target,
        message: `${target} was not found or is not visible to this token.`,
        fix: `Check the project path, and ask for at least the Developer role in ${target}.`,
      });
      continue;
    }
    await checkRelease(
      client,
      target,
      releaseBranch,
      accessLevelOf(proj.value.permissions),
      svc?.pickMode ?? 'auto',
      add,
    );
    await checkReleaseLock(client, target, releaseBranch, add);
    if (!svc) continue;
    await checkEnvironment(client, target, svc, add);
    await checkDeployJobs(client, target, svc, add);
    await checkHealthEndpoint(client, target, svc, opts, add);
  }
}

async function checkRelease(
  client: GitLabClient,
  target: string,
  releaseBranch: string,
  accessLevel: number,
  pickMode: 'push' | 'merge-request' | 'auto',
  add: Add,
): Promise<void> {
  const base = { id: 'release-push', runbookRef: 'P3' as RunbookId, target };
  const branch = await client.branch(target, releaseBranch);
  if (branch.isErr()) {
    mustContinue(branch.error);
    add({
      ...base,
      status: 'fail',
      message: `${target} has no branch "${releaseBranch}".`,
      fix: "Set the service's releaseBranch (or runbook.releaseBranch) to the branch staging deploys from.",
    });
    return;
  }
  const where = `${target}:${releaseBranch}`;
  if (mayPushBranch(branch.value, accessLevel || undefined))
    add({
      ...base,
      status: branch.value.protected ? 'ok' : 'warn',
      message: `${where} accepts your pushes${branch.value.protected ? ' (protected)' : ', and it is not protected: anyone with push rights can move it'}.`,
      fix: branch.value.protected
        ? ''
        : `Protect ${releaseBranch} in ${target} (Settings > Repository > Protected branches).`,
    });
  else if (pickMode !== 'push' && branch.value.can_push === false && (accessLevel === 0 || accessLevel >= 30))
    add({
      ...base,
      status: 'warn',
      message: `${where} does not accept your pushes but accepts merge requests: the pick goes through a release merge request (pick mode ${pickMode}), which someone must approve (S2).`,
      fix: `Nothing to change; to push instead, ask a maintainer of ${target} to allow your role to push to ${releaseBranch}.`,
    });
  else
    add({
      ...base,
      status: 'fail',
      message: `${where} does not accept your pushes: changes reach it only through merge requests (or another role), so the cherry-pick (S3) cannot land.`,
      fix: `Ask a maintainer of ${target} to allow your role to push to ${releaseBranch}, or have someone who may push run the promotion.`,
    });
}

/** S2/R3: who holds the release lock now (a promotion in progress, or a stale one left by a killed run). */
async function checkReleaseLock(client: GitLabClient, target: string, releaseBranch: string, add: Add): Promise<void> {
  const base = { id: 'release-lock', runbookRef: 'R3' as RunbookId, target };
  const read = await readReleaseLock(client, target, releaseBranch);
  if (read.isErr()) {
    mustContinue(read.error);
    add({
      ...base,
      status: 'warn',
      message: `The release lock of ${target}:${releaseBranch} is not readable.`,
      fix: `Ask for the Developer role in ${target}.`,
    });
    return;
  }
  const lock = read.value;
  const view = viewLock(lock, '', client.clock.now());
  if (!lock || view === 'free') {
    add({
      ...base,
      status: 'ok',
      message: `No promotion holds the release lock of ${target}:${releaseBranch}.`,
      fix: '',
    });
    return;
  }
  const h = lock.file?.holder;
  const who = h
    ? `${h.username} (promoting ${h.mr}${h.host ? ` on ${h.host}` : ''}, journal ${h.journal ?? 'unknown'})`
    : 'an unreadable lock file';
  if (view === 'stale')
    add({
      ...base,
      status: 'fail',
      message: `The release lock of ${target}:${releaseBranch} is held by ${who}, and its lease ran out at ${lock.leaseExpiresAt}: its promotion was probably killed.`,
      fix: `Ask ${h?.username ?? 'its holder'} to "hotfix resume" or "hotfix abandon" the journal; or take it over with "hotfix promote --break-lock" (recorded in the evidence).`,
    });
  else
    add({
      ...base,
      status: 'warn',
      message: `The release lock of ${target}:${releaseBranch} is held by ${who}; its lease runs until ${lock.leaseExpiresAt}.`,
      fix: 'A promotion is in progress: a new one waits for it (or refuses with --no-wait).',
    });
}

async function checkEnvironment(client: GitLabClient, target: string, svc: Service, add: Add): Promise<void> {
  const base = { id: 'service-environment', runbookRef: 'P5' as RunbookId, target };
  const envs = await client.environmentsByName(target, svc.environment);
  if (envs.isErr()) {
    mustContinue(envs.error);
    add({
      ...base,
      status: 'fail',
      message: `The environments of ${target} are not readable to this token (${envs.error.code}).`,
      fix: `Ask for at least the Reporter role in ${target}.`,
    });
    return;
  }
  const env = envs.value.find((e) => e.name === svc.environment);
  if (env) add({ ...base, status: 'ok', message: `${target} has the environment "${env.name}".`, fix: '' });
  else
    add({
      ...base,
      status: 'fail',
      message: `${target} has no environment "${svc.environment}": nothing would show the staging deployment (S6, E4).`,
      fix: `Set the service's environment to the one its deploy job names, or deploy ${target} to ${svc.environment} once so GitLab creates it.`,
    });
}

async function checkDeployJobs(client: GitLabClient, target: string, svc: Service, add: Add): Promise<void> {
  const base = { id: 'deploy-jobs', runbookRef: 'P5' as RunbookId, target };
  const ci = await readCiConfig(client, target, svc.releaseBranch);
  if (ci.isErr()) {
    mustContinue(ci.error);
    add({
      ...base,
      status: 'fail',
      message: `${target} has no readable CI configuration on ${svc.releaseBranch}: no deploy job can run.`,
      fix: `Check ${target}'s CI/CD configuration file (ci_config_path) on ${svc.releaseBranch}.`,
    });
    return;
  }
  const jobs = topLevelJobNames(ci.value.text);
  const missing = svc.deployJobs.filter((j) => !jobs.includes(j));
  const includes = /^include\s*:/m.test(ci.value.text);
  if (missing.length === 0)
    add({ ...base, status: 'ok', message: `${target} defines ${svc.deployJobs.join(', ')}.`, fix: '' });
  else
    add({
      ...base,
      status: includes ? 'warn' : 'fail',
      message: `${target}'s CI (${ci.value.path}@${svc.releaseBranch}) defines no job ${missing.join(', ')}${includes ? ' (it includes other files, which were not read)' : ''}; it defines ${jobs.join(', ') || 'no jobs'}.`,
      fix: `Set the service's deployJobs to the job(s) that deploy to ${svc.environment}.`,
    });
}

async function checkHealthEndpoint(
  client: GitLabClient,
  target: string,
  svc: Service,
  opts: TargetCheckOptions,
  add: Add,
): Promise<void> {
  const base = { id: 'health-endpoint', runbookRef: 'E5' as RunbookId, target };
  if (!svc.health) {
    add({
      ...base,
      status: 'warn',
      message: `${target} has no health endpoint in its descriptor: E5 will rest on the deployment record alone.`,
      fix: 'Add health: { url, versionPath } to the service descriptor.',
    });
    return;
  }
  if (!opts.health) {
    add({ ...base, status: 'ok', message: `${target}'s health endpoint was not requested (health: false).`, fix: '' });
    return;
  }
  // An empty expected SHA: only reachability, status and the version field are judged here.
  const h = await checkHealth(svc.health, '', { fetch: opts.fetch, now: () => client.clock.now() });
  const reachable = h.httpStatus === svc.health.expectStatus && h.version !== null;
  add({
    ...base,
    status: reachable ? 'ok' : 'fail',
    message: reachable
      ? `${target}'s health endpoint answers ${h.httpStatus} and reports ${h.version} at "${svc.health.versionPath}".`
      : `${target}'s health endpoint ${h.httpStatus === undefined ? 'does not answer' : `answers ${h.httpStatus}`}${h.version === null ? ` with no version at "${svc.health.versionPath}"` : ''} (expected ${svc.health.expectStatus}).`,
    fix: reachable
      ? ''
      : "Check the descriptor's health.url, expectStatus and versionPath against what the service serves.",
  });
}
