import { badRequest, json, type SimResponse } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { lastSuccessfulDeployment } from '../ci/deploy.js';
import { getCiEngine, type HealthOverride } from '../ci/engine.js';
import { projectCi } from '../ci/model.js';
import type { ResourceDeps } from './deps.js';

const OUTCOMES = ['success', 'failed', 'canceled'] as const;

/**
 * The health endpoint's front door: a redirect (same origin twice, or to the other loopback name)
 * and a required header (401 without it, never echoing what was sent).
 */
function guard(override: HealthOverride | undefined, ctx: RequestContext): SimResponse | undefined {
  if (override?.redirect === 'same-origin') {
    const hop = Number(ctx.query.get('hop') ?? '0');
    if (hop < 2) {
      const next = new URL(ctx.url);
      next.searchParams.set('hop', String(hop + 1));
      return { status: 302, headers: { location: `${next.pathname}${next.search}` } };
    }
  }
  if (override?.redirect === 'cross-origin') {
    const asked = new URL(ctx.url);
    const here = new URL(`${asked.protocol}//${ctx.headers.host ?? asked.host}${asked.pathname}${asked.search}`);
    here.hostname = here.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    return { status: 302, headers: { location: here.toString() } };
  }
  const need = override?.requireHeader;
  if (need && ctx.headers[need.name] !== need.value) {
    return json({ status: 'unauthorized', message: `missing or wrong ${need.name}` }, 401);
  }
  return undefined;
}

/**
 * Non-API routes of the CI part: the per-environment service health endpoint
 * (`GET /-/sim/services/<project path>/<environment>/health`) and the CI test controls
 * (`/-/sim/health`, `/-/sim/jobs/outcome`, `/-/sim/ci/settings`, `/-/sim/ci/advance`).
 */
export function registerHealth(ext: Router, deps: ResourceDeps): void {
  const engine = () => getCiEngine(deps.state);

  ext.on('GET', '/-/sim/services/*rest', (ctx) => {
    const parts = (ctx.params.rest ?? '').split('/');
    if (parts[parts.length - 1] === 'health') parts.pop();
    const environment = parts.pop() ?? '';
    const path = parts.join('/');
    const project = deps.state.findProject(path);
    const env =
      project && projectCi(project).environments.find((e) => e.name === environment || e.slug === environment);
    if (!project || !env) return json({ status: 'not_found', project: path, environment }, 404);
    const last = lastSuccessfulDeployment(project, env);
    const override = engine().health.get(`${project.path.toLowerCase()}|${env.name}`);
    const gate = guard(override, ctx);
    if (gate) return gate;
    const sha = override?.sha ?? last?.sha ?? null;
    const version =
      override?.version !== undefined && last
        ? override.version
            .replaceAll('{sha7}', last.sha.slice(0, 7))
            .replaceAll('{sha}', last.sha)
            .replaceAll('{deployment}', String(last.id))
        : sha;
    let status = override?.status ?? (env.state === 'stopped' || !last ? 'down' : 'ok');
    if (!override?.status && !version) status = 'down';
    const body = {
      status,
      version,
      environment: env.name,
      project: project.path,
      deployment_id: last?.id ?? null,
      deployed_at: last?.finishedAt ?? null,
    };
    return json(body, status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
  });

  ext.on('POST', '/-/sim/health', (ctx) => {
    const { project, environment, sha, status, version, requireHeader, redirect } = ctx.body;
    if (typeof project !== 'string' || typeof environment !== 'string') {
      throw badRequest('project and environment are required');
    }
    const header = requireHeader as { name?: unknown; value?: unknown } | undefined;
    if (header !== undefined && (typeof header.name !== 'string' || typeof header.value !== 'string'))
      throw badRequest('requireHeader must be { name, value }');
    if (redirect !== undefined && redirect !== 'same-origin' && redirect !== 'cross-origin')
      throw badRequest('redirect must be same-origin or cross-origin');
    const override = {
      ...(typeof sha === 'string' ? { sha } : {}),
      ...(typeof status === 'string' ? { status } : {}),
      ...(typeof version === 'string' ? { version } : {}),
      ...(header ? { requireHeader: { name: String(header.name).toLowerCase(), value: String(header.value) } } : {}),
      ...(redirect ? { redirect: redirect as 'same-origin' | 'cross-origin' } : {}),
    };
    engine().setHealth(project, environment, Object.keys(override).length ? override : undefined);
    return json({ project, environment, ...override }, 201);
  });

  ext.on('DELETE', '/-/sim/health', () => {
    engine().health.clear();
    return { status: 204 };
  });

  ext.on('POST', '/-/sim/jobs/outcome', (ctx) => {
    const { project, job, status, times } = ctx.body;
    if (typeof project !== 'string' || typeof job !== 'string') throw badRequest('project and job are required');
    if (typeof status !== 'string' || !(OUTCOMES as readonly string[]).includes(status)) {
      throw badRequest(`status must be one of ${OUTCOMES.join(', ')}`);
    }
    const n = times === undefined ? 1 : times === 'all' ? Number.POSITIVE_INFINITY : Number(times);
    if (!(n > 0)) throw badRequest('times must be a positive number or "all"');
    engine().forceJobOutcome({ project, job, status: status as (typeof OUTCOMES)[number], times: n });
    return json({ project, job, status, times: Number.isFinite(n) ? n : 'all' }, 201);
  });

  ext.on('DELETE', '/-/sim/jobs/outcome', () => {
    engine().outcomes.length = 0;
    return { status: 204 };
  });

  ext.on('GET', '/-/sim/ci/settings', () => json(engine().settings));
  ext.on('POST', '/-/sim/ci/settings', (ctx) => {
    const patch: Record<string, number> = {};
    for (const key of [
      'defaultJobDurationMs',
      'queueDelayMs',
      'realTimeScale',
      'pipelineCreationLimitPerMinute',
    ] as const) {
      const v = ctx.body[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !(v >= 0)) throw badRequest(`${key} must be a non-negative number`);
      patch[key] = v;
    }
    return json(engine().configure(patch));
  });

  ext.on('POST', '/-/sim/ci/advance', async (ctx) => {
    const ms = Number(ctx.body.ms);
    if (!Number.isFinite(ms) || ms < 0) throw badRequest('ms must be a non-negative number');
    await engine().advance(ms);
    return json({ now: deps.clock.iso(), virtual: true });
  });
}
