/**
 * Read-back of the orchestration project's pipelines: finds a pipeline this user created
 * for this target inside the window, so a lost response (or a second call) adopts it
 * instead of sending another POST. GitLab does not report a pipeline's inputs back; it
 * reports its `name`, which the orchestrator derives from its inputs (`workflow:name`),
 * and its variables. Both are read and compared.
 */
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { pipelineSchema, pipelineVariableSchema } from '../../_internal/schemas.js';
import type { HotfixError } from '../../errors.js';
import type { GitLabClient } from '../../gitlab-client.js';
import { matchesFingerprint, type OrchestratorProfile } from '../../runbook-config.js';
import type { GuidedRequest } from './guard.js';

/** A pipeline as the list and the single view report it, with its `name`. */
export const namedPipelineSchema = pipelineSchema.extend({ name: z.string().nullable().optional() });
/** A pipeline with its name. */
export type NamedPipeline = z.infer<typeof namedPipelineSchema>;
/** A pipeline variable as read back. */
export type ReadVariable = { readonly key: string; readonly value: string };

/** Where and how to look. */
export interface ReconcileQuery {
  readonly project: string | number;
  readonly ref: string;
  readonly username: string;
  /** ISO 8601 UTC: pipelines created before this are not ours. */
  readonly createdAfter: string;
  readonly maxPages: number;
  readonly perPage: number;
  readonly signal: AbortSignal | undefined;
}

/** What GitLab reports for one pipeline, read back. */
export interface ReadBack {
  readonly pipeline: NamedPipeline;
  readonly variables: readonly ReadVariable[];
}

/** Reads a pipeline's variables (values never null). */
export function readVariables(
  client: GitLabClient,
  project: string | number,
  id: number,
): Promise<Result<ReadVariable[], HotfixError>> {
  return Promise.resolve(
    client
      .request(
        {
          method: 'GET',
          route: '/projects/:id/pipelines/:pipeline_id/variables',
          params: { id: project, pipeline_id: id },
        },
        z.array(pipelineVariableSchema),
      )
      .map((vs) => vs.map((v) => ({ key: v.key, value: v.value ?? '' }))),
  );
}

/** Reads one pipeline with its name. */
export function readPipeline(
  client: GitLabClient,
  project: string | number,
  id: number,
): Promise<Result<NamedPipeline, HotfixError>> {
  return Promise.resolve(
    client.request(
      { method: 'GET', route: '/projects/:id/pipelines/:pipeline_id', params: { id: project, pipeline_id: id } },
      namedPipelineSchema,
    ),
  );
}

/** Whether what GitLab reports for a pipeline says it carries exactly our guided request. */
export function reportsRequest(
  req: GuidedRequest,
  read: { name?: string | null | undefined; variables?: readonly ReadVariable[] },
): boolean {
  if (req.via === 'variables') {
    const vars = read.variables ?? [];
    return req.variables.every((w) => vars.some((v) => v.key === w.key && v.value === w.value));
  }
  const tokens = (read.name ?? '').split(/\s+/).filter(Boolean);
  if (!tokens.length) return false;
  const values = Object.entries(req.inputs);
  // Every input must show in the name, either as `key=value` or as the bare value; none may contradict it.
  return values.every(([key, value]) => {
    const kv = tokens.find((t) => t.startsWith(`${key}=`));
    if (kv !== undefined) return kv === `${key}=${String(value)}`;
    return typeof value === 'boolean' || tokens.includes(value);
  });
}

/** The inputs as the pipeline's name reports them (`key=value` tokens, and our values found bare). */
export function inputsFromName(req: GuidedRequest, name: string | null | undefined): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (req.via !== 'inputs' || !name) return out;
  const tokens = name.split(/\s+/).filter(Boolean);
  for (const [key, value] of Object.entries(req.inputs)) {
    const kv = tokens.find((t) => t.startsWith(`${key}=`));
    if (kv !== undefined) {
      const raw = kv.slice(key.length + 1);
      out[key] = raw === 'true' ? true : raw === 'false' ? false : raw;
    } else if (typeof value === 'string' && tokens.includes(value)) out[key] = value;
  }
  return out;
}

/** Whether what GitLab reports for a pipeline contradicts our request (a name or variables that say otherwise). */
export function contradictsRequest(
  req: GuidedRequest,
  read: { name?: string | null | undefined; variables?: readonly ReadVariable[] },
): boolean {
  if (req.via === 'variables') {
    const vars = read.variables ?? [];
    return req.variables.some((w) => vars.some((v) => v.key === w.key && v.value !== w.value));
  }
  return Boolean(read.name?.trim()) && !reportsRequest(req, { name: read.name });
}

/** What a pipeline observably ran, against the profile's fingerprints (E2, E3). */
export interface FingerprintMatch {
  /** Names of its jobs and bridges. */
  readonly jobs: readonly string[];
  /** Every deploy fingerprint entry matches one of them. */
  readonly deploy: boolean;
  /** Names matching a cut-off fingerprint entry. */
  readonly cutOffJobs: readonly string[];
  /** Every page of both lists was read: an absent name is absent, not merely beyond the bound. */
  readonly complete: boolean;
}

/** Reads a pipeline's jobs and bridges (one bounded read each) and matches them to the fingerprints. */
export async function observeFingerprint(
  client: GitLabClient,
  project: string | number,
  id: number,
  fingerprints: OrchestratorProfile['fingerprints'],
  signal?: AbortSignal,
): Promise<Result<FingerprintMatch, HotfixError>> {
  const opts = { perPage: 100, maxPages: 2, onLimit: 'partial' as const, ...(signal ? { signal } : {}) };
  const [jobs, bridges] = await Promise.all([
    client.pipelineJobs(project, id, opts),
    client.pipelineBridges(project, id, opts),
  ]);
  if (jobs.isErr()) return err(jobs.error);
  if (bridges.isErr()) return err(bridges.error);
  const names = [...jobs.value.items, ...bridges.value.items].map((j) => j.name);
  return ok({
    jobs: names,
    deploy: fingerprints.deploy.every((e) => names.some((n) => matchesFingerprint(n, e))),
    cutOffJobs: names.filter((n) => fingerprints.cutOff.some((e) => matchesFingerprint(n, e))),
    complete: jobs.value.exhausted && bridges.value.exhausted,
  });
}

/** How a candidate is recognised as ours when its name reports nothing. */
export type Recognise = (p: NamedPipeline, vars: readonly ReadVariable[]) => Promise<Result<boolean, HotfixError>>;

/**
 * Lists this user's API pipelines on the orchestration ref created after the window
 * start, newest first, bounded in pages, and returns the first accepted one that reports
 * our request (with its variables read back), or, when GitLab reports nothing that
 * contradicts it, one that `recognise` accepts by what it observably ran; and the highest
 * pipeline id listed. Pipelines are filtered by `created_at` here, whatever the list honours.
 */
export async function findOurPipeline(
  client: GitLabClient,
  q: ReconcileQuery,
  req: GuidedRequest,
  accept: (p: NamedPipeline) => boolean,
  recognise?: Recognise,
): Promise<Result<{ found: ReadBack | undefined; maxId: number }, HotfixError>> {
  let maxId = 0;
  for (let page = 1; page <= q.maxPages; page++) {
    const r = await client.request(
      {
        method: 'GET',
        route: '/projects/:id/pipelines',
        params: { id: q.project },
        query: {
          ref: q.ref,
          source: 'api',
          username: q.username,
          created_after: q.createdAfter,
          order_by: 'id',
          sort: 'desc',
          per_page: q.perPage,
          page,
        },
        ...(q.signal ? { signal: q.signal } : {}),
      },
      z.array(namedPipelineSchema),
    );
    if (r.isErr()) return err(r.error);
    for (const p of r.value) maxId = Math.max(maxId, p.id);
    for (const p of r.value) {
      if (Date.parse(p.created_at) < Date.parse(q.createdAfter) || !accept(p)) continue;
      if (req.via === 'inputs' && !recognise && !reportsRequest(req, { name: p.name })) continue;
      if (req.via === 'inputs' && contradictsRequest(req, { name: p.name })) continue;
      const vars = await readVariables(client, q.project, p.id);
      if (vars.isErr()) return err(vars.error);
      const read = { name: p.name, variables: vars.value };
      if (reportsRequest(req, read)) return ok({ found: { pipeline: p, variables: vars.value }, maxId });
      if (!recognise || contradictsRequest(req, read)) continue;
      const ours = await recognise(p, vars.value);
      if (ours.isErr()) return err(ours.error);
      if (ours.value) return ok({ found: { pipeline: p, variables: vars.value }, maxId });
    }
    if (r.value.length < q.perPage) break;
  }
  return ok({ found: undefined, maxId });
}
