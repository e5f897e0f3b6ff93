import type { DeployedShaRecord } from '@hotfix-release/evidence';
import { type ControlCheck, need, outcome, requireTarget, targetPointer } from './control-context.js';
import { deployedSetNote, judgeDeployedCommits, unrecordedDeployedSet } from './deployed-commits.js';

/** E4 (S6): downstream pipeline, deploy job and deployment all succeeded in the expected environment. Internal. */
export const checkE4: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const d = t.deployment;
  if (!d) return outcome.fail('no deployment record', targetPointer(ctx, 'deployment'), 'a deployment record', 'none');
  if (d.downstreamPipeline.project !== t.project) {
    return outcome.fail(
      'the downstream pipeline belongs to another project',
      targetPointer(ctx, 'deployment', 'downstreamPipeline', 'project'),
      t.project,
      d.downstreamPipeline.project,
    );
  }
  const checks = [
    [d.downstreamPipeline.status, ['deployment', 'downstreamPipeline', 'status'], 'downstream pipeline'],
    [d.job.status, ['deployment', 'job', 'status'], `deploy job ${d.job.name}`],
    [d.deployment.status, ['deployment', 'deployment', 'status'], 'deployment'],
  ] as const;
  for (const [status, path, what] of checks) {
    if (status !== 'success')
      return outcome.fail(`${what} did not succeed`, targetPointer(ctx, ...path), 'success', status);
  }
  if (d.deployment.environment !== need(ctx, 'environment')) {
    return outcome.fail(
      'deployed to another environment',
      targetPointer(ctx, 'deployment', 'deployment', 'environment'),
      need(ctx, 'environment'),
      d.deployment.environment,
    );
  }
  if (d.deployment.finishedAt === null) {
    return outcome.fail(
      'the deployment has not finished',
      targetPointer(ctx, 'deployment', 'deployment', 'finishedAt'),
      'a finish time',
      null,
    );
  }
  return outcome.pass(
    `deployment ${d.deployment.id} to ${d.deployment.environment} succeeded`,
    targetPointer(ctx, 'deployment'),
  );
};

/**
 * E5 (S6): environment, deployment and health endpoint all report the release head after the pick, and
 * the commits the deployment ran beyond the pick's `headBefore` are exactly its picks (`unverified` when a
 * 2.x bundle lacks that record; a 1.x bundle keeps its former verdict and says the set was not recorded). Internal.
 */
export const checkE5: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const expected = t.pick?.headAfter;
  if (!expected) return outcome.error('no expected commit: the E1 pick record is missing', targetPointer(ctx, 'pick'));
  const s = t.deployedSha;
  if (!s) return outcome.fail('no deployed-SHA record', targetPointer(ctx, 'deployedSha'), expected, 'none');
  if (s.environment.name !== need(ctx, 'environment')) {
    return outcome.fail(
      'the SHA was read from another environment',
      targetPointer(ctx, 'deployedSha', 'environment', 'name'),
      need(ctx, 'environment'),
      s.environment.name,
    );
  }
  // What staging ran beyond the release head the promotion started from, before the SHAs: it names foreign commits.
  if (t.deployedCommits && t.pick) {
    const judged = judgeDeployedCommits(
      ctx,
      t.pick,
      t.deployedCommits,
      t.deployment?.deployment.sha ?? s.environment.sha,
    );
    if (judged) return judged;
  }
  const byIdentity = s.health.sha === null && s.health.identity !== undefined;
  const observed = [
    [s.environment.sha, ['deployedSha', 'environment', 'sha'], 'the environment'],
    ...(byIdentity ? [] : ([[s.health.sha, ['deployedSha', 'health', 'sha'], 'the health endpoint']] as const)),
    ...(t.deployment
      ? ([[t.deployment.deployment.sha, ['deployment', 'deployment', 'sha'], 'the deployment']] as const)
      : []),
  ] as const;
  for (const [sha, path, where] of observed) {
    if (sha !== expected)
      return outcome.fail(`${where} reports another commit`, targetPointer(ctx, ...path), expected, sha);
  }
  if (byIdentity) {
    const identity = checkHealthIdentity(s, expected, t.deployment?.deployment.id);
    if (identity !== undefined)
      return outcome.fail(
        identity.message,
        targetPointer(ctx, 'deployedSha', 'health', ...identity.at),
        identity.expected,
        identity.actual,
      );
  }
  if (s.health.httpStatus < 200 || s.health.httpStatus > 299) {
    return outcome.fail(
      'the health endpoint is not healthy',
      targetPointer(ctx, 'deployedSha', 'health', 'httpStatus'),
      '2xx',
      s.health.httpStatus,
    );
  }
  if (!t.deployedCommits) {
    const unrecorded = unrecordedDeployedSet(ctx, t);
    if (unrecorded) return unrecorded;
  }
  const how = byIdentity ? ` (health reports build ${s.health.version}, by ${s.health.identity?.basis})` : '';
  const set = t.pick ? deployedSetNote(t, t.pick) : '';
  return outcome.pass(`staging runs ${expected.slice(0, 12)}${how}${set}`, targetPointer(ctx, 'deployedSha'));
};

/**
 * E5 by build identity: re-applies the recorded pattern to the recorded version (never trusting
 * what the SDK said it captured) and requires the capture to name the expected commit (a prefix
 * of at least 7 hex digits) or the deployment E4 recorded for it. Undefined when it holds.
 */
function checkHealthIdentity(
  s: DeployedShaRecord,
  expected: string,
  deploymentId: number | undefined,
): { message: string; at: string[]; expected: unknown; actual: unknown } | undefined {
  const identity = s.health.identity;
  const version = s.health.version;
  if (!identity || version === null)
    return { message: 'the health endpoint reported no version', at: ['version'], expected: 'a version', actual: null };
  let groups: Record<string, string> | undefined;
  try {
    groups = new RegExp(identity.pattern).exec(version)?.groups;
  } catch {
    return {
      message: 'the recorded version pattern is not a regular expression',
      at: ['identity', 'pattern'],
      expected: 'a pattern',
      actual: identity.pattern,
    };
  }
  const group = identity.basis === 'pattern-sha' ? 'sha' : 'deployment';
  const captured = groups?.[group];
  if (captured === undefined || captured !== identity.captured)
    return {
      message: `the version does not yield the recorded ${group} through the pattern`,
      at: ['identity', 'captured'],
      expected: captured ?? null,
      actual: identity.captured,
    };
  if (identity.basis === 'pattern-sha') {
    const ok = /^[0-9a-f]{7,40}$/i.test(captured) && expected.startsWith(captured.toLowerCase());
    return ok
      ? undefined
      : {
          message: 'the health endpoint reports a build of another commit',
          at: ['identity', 'captured'],
          expected,
          actual: captured,
        };
  }
  const ok = deploymentId !== undefined && captured === String(deploymentId) && identity.deploymentId === deploymentId;
  return ok
    ? undefined
    : {
        message: 'the health endpoint reports a build of another deployment',
        at: ['identity', 'captured'],
        expected: deploymentId ?? null,
        actual: captured,
      };
}
