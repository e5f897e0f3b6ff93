import { type ControlCheck, need, outcome, requireTarget, targetPointer } from './control-context.js';

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

/** E5 (S6): environment, deployment and health endpoint all report the release head after the pick. Internal. */
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
  const observed = [
    [s.environment.sha, ['deployedSha', 'environment', 'sha'], 'the environment'],
    [s.health.sha, ['deployedSha', 'health', 'sha'], 'the health endpoint'],
    ...(t.deployment
      ? ([[t.deployment.deployment.sha, ['deployment', 'deployment', 'sha'], 'the deployment']] as const)
      : []),
  ] as const;
  for (const [sha, path, where] of observed) {
    if (sha !== expected)
      return outcome.fail(`${where} reports another commit`, targetPointer(ctx, ...path), expected, sha);
  }
  if (s.health.httpStatus < 200 || s.health.httpStatus > 299) {
    return outcome.fail(
      'the health endpoint is not healthy',
      targetPointer(ctx, 'deployedSha', 'health', 'httpStatus'),
      '2xx',
      s.health.httpStatus,
    );
  }
  return outcome.pass(`staging runs ${expected.slice(0, 12)}`, targetPointer(ctx, 'deployedSha'));
};
