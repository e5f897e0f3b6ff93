/** Request helpers shared by the CI REST resources. */
import { ApiError, invalidParam, type Query } from '../_internal/http.js';
import type { RequestContext } from '../_internal/router.js';
import type { SimProject } from '../state.js';
import { type CiEngine, getCiEngine } from './engine.js';
import type { EntityCtx } from './entities.js';
import type { SimJob, SimPipeline } from './model.js';

/** `404 {"message":"404 Not found"}`: what GitLab answers for a record `find` misses. */
export function recordNotFound(): ApiError {
  return new ApiError(404, { message: '404 Not found' });
}

/** The entity context of a request. */
export function entityCtx(ctx: RequestContext): EntityCtx {
  return { state: ctx.state, baseUrl: ctx.baseUrl, now: ctx.clock.now(), request: ctx };
}

/** The CI engine serving a request. */
export function engineOf(ctx: RequestContext): CiEngine {
  return getCiEngine(ctx.state);
}

/** A required integer path parameter (Grape: `<name> is invalid` when not an integer). */
export function intParam(ctx: RequestContext, name: string): number {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw invalidParam(name);
  return Number(raw);
}

/** The `:pipeline_id` pipeline of the project, or 404. */
export function pipelineParam(ctx: RequestContext, project: SimProject): SimPipeline {
  const p = engineOf(ctx).pipeline(project, intParam(ctx, 'pipeline_id'));
  if (!p) throw recordNotFound();
  return p;
}

/** The `:job_id` job (not bridge) of the project, or 404. */
export function jobParam(ctx: RequestContext, project: SimProject): SimJob {
  const j = engineOf(ctx).job(project, intParam(ctx, 'job_id'));
  if (j?.kind !== 'build') throw recordNotFound();
  return j;
}

/** A query value restricted to a set (Grape: `<name> does not have a valid value`). */
export function enumParam<T extends string>(q: Query, name: string, allowed: readonly T[]): T | undefined {
  const v = q.get(name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new ApiError(400, { error: `${name} does not have a valid value` });
  return v as T;
}

/** Every value of an array query parameter restricted to a set. */
export function enumList(q: Query, name: string, allowed: readonly string[]): string[] {
  const values = q.all(name);
  if (values.some((v) => !allowed.includes(v)))
    throw new ApiError(400, { error: `${name} does not have a valid value` });
  return values;
}

/** An ISO 8601 date-time query parameter as ms (Grape: `<name> is invalid`). */
export function timeParam(q: Query, name: string): number | undefined {
  const v = q.get(name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw invalidParam(name);
  return ms;
}

/** Sorts by a key then id, ascending or descending. */
export function sortBy<T extends { id: number }>(items: T[], key: (x: T) => string | number, desc: boolean): T[] {
  const dir = desc ? -1 : 1;
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return (c || a.id - b.id) * dir;
  });
}
