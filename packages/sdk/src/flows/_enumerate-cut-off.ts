/**
 * E3 is a negative ("the cut-off action was NOT selected"), so it is proven, not assumed: every
 * orchestration pipeline created in the promotion window is listed and classified by what it
 * observably ran.
 *
 * - **Listing.** The list is asked with `created_after`/`created_before`, `order_by=id&sort=desc`,
 *   100 a page, pages read until one comes back short (bounded by `maxPages` and by at most 1000
 *   pipelines in the window; past either bound `pagesExhausted` is false). Some GitLab instances
 *   ignore the created filters, so the window is applied here, to each pipeline's `created_at`;
 *   those outside it are counted (`outsideWindow`), never classified. Pipeline ids come from one
 *   sequence in creation order, so with the list sorted by id descending every later page holds
 *   pipelines created no later than the oldest of this page: once a whole page was created more than
 *   a minute (`EARLY_STOP_MARGIN_MS`, room for ids and `created_at` taken in different transactions)
 *   before the window opened, no later page can reach into the window and reading stops there, the
 *   list counting as exhausted. A pipeline seen twice (offset pages shift when one is created while
 *   reading) is classified once.
 * - **Classification** (one read of its jobs and one of its bridges, `observeFingerprint`, against
 *   the target's orchestrator profile): a job or bridge matching the cut-off fingerprint makes it
 *   `cut-off` (basis `observed`, `matched` names them); otherwise a name or variables reporting the
 *   cut-off action make it `cut-off` (basis `reported`); otherwise every deploy entry matched makes it
 *   `deploy`, anything else `other`. Jobs or bridges that cannot be read (403, 404, 5xx, more than
 *   the bound) make it `unreadable` with the reason, basis `observed` (the observation is what
 *   failed): never a crash, never silently fine.
 * - **What GitLab reports** (the pipeline `name` from the list, GitLab 16.3+, and its variables) is
 *   the fallback and an extra: it can name the target (`target`, matched through the profile's
 *   `projectValue`). Variables are read at most once per pipeline and only when useful (the profile's
 *   inputs travel as variables, or the jobs were unreadable); a refused variables read (a Developer
 *   reading another user's pipeline) is not fatal.
 * - **Offending**: the `cut-off` pipelines aimed at this target or at an unknown one. A cut-off
 *   reported for another known service is recorded, not offending.
 */
import type { EnumeratedPipeline, EnumerationRecord } from '@hotfix-release/evidence';
import type { Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { type Clock, isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import {
  type FingerprintMatch,
  type NamedPipeline,
  namedPipelineSchema,
  observeFingerprint,
  type ReadVariable,
  readVariables,
} from '../primitives/trigger-guided-release/reconcile.js';
import {
  isCutOffAction,
  type OrchestratorProfile,
  orchestratorFor,
  projectInputValue,
  type RunbookConfig,
} from '../runbook-config.js';
import { apiUrl, utc } from './_records.js';

/** Most pipelines of the window classified; the evidence schema holds as many. */
const MAX_PIPELINES = 1000;
/** A page created this long before the window opened ends the listing (see the module comment). */
const EARLY_STOP_MARGIN_MS = 60_000;
const MAX_MATCHED = 50;
const MAX_REASON = 500;

/** A listed pipeline whose `created_at` is a time (the window is applied to it). */
const listedSchema = namedPipelineSchema.extend({
  created_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a time'),
});

/** What GitLab reports (name, variables) about a pipeline's action and target. */
export interface ReportedSelection {
  /** The name or a variable reports the cut-off action. */
  readonly cutOff: boolean;
  /** The target project it reports, when it reports one this configuration can tell. */
  readonly target?: string;
}

/** The services whose `project` input value could be reported: this target first. */
function candidates(config: RunbookConfig, target: string): string[] {
  return [...new Set([target, ...config.services.map((s) => s.project)])];
}

function inputValueOf(config: RunbookConfig, project: string): string | undefined {
  const v = projectInputValue(orchestratorFor(config, project), project);
  return v.isOk() ? v.value : undefined;
}

/** The project a reported `project` input value stands for, when this configuration can tell. */
function targetOf(config: RunbookConfig, target: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const known = candidates(config, target).find((c) => inputValueOf(config, c) === value);
  if (known !== undefined) return known;
  return orchestratorFor(config, target).projectValue === 'full-path' ? value : undefined;
}

/** The `project` value a name reports: a `project=` token, a known service's value, or (full paths) a path. */
function projectFromName(config: RunbookConfig, target: string, tokens: readonly string[]): string | undefined {
  const key = `${config.orchestration.inputNames.project}=`;
  const kv = tokens.find((t) => t.startsWith(key));
  if (kv !== undefined) return kv.slice(key.length);
  const values = candidates(config, target).map((c) => inputValueOf(config, c));
  const bare = tokens.find((t) => values.includes(t));
  if (bare !== undefined) return bare;
  if (orchestratorFor(config, target).projectValue !== 'full-path') return undefined;
  return tokens.find((t) => !t.includes('=') && t.includes('/'));
}

/**
 * What GitLab reports for a pipeline (its name, which an orchestrator may derive from its inputs,
 * and its variables): whether it selects the cut-off action, and the target it names.
 *
 * @see E3 S5
 */
export function reportedSelection(
  config: RunbookConfig,
  target: string,
  reported: { name?: string | null | undefined; variables?: readonly { key: string; value: string | null }[] },
): ReportedSelection {
  const cut = config.orchestration.cutOffAction;
  const names = config.orchestration.inputNames;
  const tokens = (reported.name ?? '').split(/\s+/).filter(Boolean);
  const nameSays = tokens.some((t) => isCutOffAction(t.replace(/^[A-Za-z_]+=/, ''), cut));
  const vars = new Map((reported.variables ?? []).map((v) => [v.key.toLowerCase(), v.value ?? '']));
  const action = vars.get(names.action.toLowerCase());
  const varsSay = action !== undefined && isCutOffAction(action, cut);
  const value = vars.get(names.project.toLowerCase()) ?? projectFromName(config, target, tokens);
  const aimed = targetOf(config, target, value);
  return { cutOff: nameSays || varsSay, ...(aimed !== undefined ? { target: aimed } : {}) };
}

/**
 * Whether what GitLab reports for a pipeline selects the cut-off action for `target` (or for a
 * target it does not name).
 *
 * @see E3 S5
 */
export function selectsCutOff(
  config: RunbookConfig,
  target: string,
  reported: { name?: string | null | undefined; variables?: readonly { key: string; value: string | null }[] },
): boolean {
  const r = reportedSelection(config, target, reported);
  return r.cutOff && (r.target === undefined || r.target === target);
}

/** Why a read failed, as a reason an auditor can act on: the request and GitLab's answer. */
function failureReason(e: HotfixError, project: string, id: number): string {
  const d = e.details as { readonly method?: string; readonly route?: string; readonly status?: number };
  const path = (d.route ?? '').replace(':id', encodeURIComponent(project)).replace(':pipeline_id', String(id));
  const what = d.status !== undefined ? `answered ${d.status}` : `failed (${e.code})`;
  const text = path ? `${d.method ?? 'GET'} ${path} ${what}` : `${e.code}: ${e.message}`;
  return text.slice(0, MAX_REASON);
}

/** Bounds and collaborators of one enumeration. */
interface Bounds {
  readonly startMs: number;
  readonly endMs: number;
  readonly perPage: number;
  readonly maxPages: number;
  readonly maxPipelines: number;
  readonly signal: AbortSignal | undefined;
}

/** The pipelines the list returned inside the window, how many fell outside, and how far it was read. */
interface Listing {
  readonly inWindow: NamedPipeline[];
  readonly outside: number;
  readonly pagesRead: number;
  readonly exhausted: boolean;
}

async function listWindow(
  client: GitLabClient,
  project: string,
  query: Readonly<Record<string, string>>,
  b: Bounds,
): Promise<Listing> {
  const seen = new Set<number>();
  const inWindow: NamedPipeline[] = [];
  let outside = 0;
  for (let page = 1; page <= b.maxPages; page++) {
    const items = await must(
      client.request(
        {
          method: 'GET',
          route: '/projects/:id/pipelines',
          params: { id: project },
          query: { ...query, per_page: b.perPage, page },
          ...(b.signal ? { signal: b.signal } : {}),
        },
        z.array(listedSchema),
      ),
    );
    for (const p of items) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      const at = Date.parse(p.created_at);
      if (at < b.startMs || at > b.endMs) outside++;
      else if (inWindow.length >= b.maxPipelines) return { inWindow, outside, pagesRead: page, exhausted: false };
      else inWindow.push(p);
    }
    const done =
      items.length < b.perPage || items.every((p) => Date.parse(p.created_at) < b.startMs - EARLY_STOP_MARGIN_MS);
    if (done) return { inWindow, outside, pagesRead: page, exhausted: true };
  }
  return { inWindow, outside, pagesRead: b.maxPages, exhausted: false };
}

/** The classification a readable pipeline gets from its jobs and bridges, and what GitLab reported. */
function fromObservation(
  seen: FingerprintMatch,
  reported: ReportedSelection,
): Pick<EnumeratedPipeline, 'classification' | 'basis' | 'matched' | 'reason'> {
  if (seen.cutOffJobs.length > 0) {
    return {
      classification: 'cut-off',
      basis: 'observed',
      matched: [...new Set(seen.cutOffJobs)].slice(0, MAX_MATCHED),
    };
  }
  if (reported.cutOff) return { classification: 'cut-off', basis: 'reported' };
  if (!seen.complete) {
    return {
      classification: 'unreadable',
      basis: 'observed',
      reason: `more jobs or bridges than one bounded read returns (${seen.jobs.length} read); the absence of the cut-off jobs is not proven`,
    };
  }
  return { classification: seen.deploy ? 'deploy' : 'other', basis: 'observed' };
}

/** Classifies one pipeline of the window (see the module comment); only an abort is thrown. */
async function classify(
  client: GitLabClient,
  config: RunbookConfig,
  target: string,
  p: NamedPipeline,
  opts: { readonly profile: OrchestratorProfile; readonly readVars: boolean; readonly signal: AbortSignal | undefined },
): Promise<EnumeratedPipeline> {
  const project = config.orchestration.project;
  const seen = await observeFingerprint(client, project, p.id, opts.profile.fingerprints, opts.signal);
  if (seen.isErr() && seen.error.code === 'aborted') throw seen.error;
  let vars: Result<ReadVariable[], HotfixError> | undefined;
  if (opts.readVars || seen.isErr()) vars = await readVariables(client, project, p.id);
  if (vars?.isErr() && vars.error.code === 'aborted') throw vars.error;
  const reported = reportedSelection(config, target, { name: p.name, variables: vars?.isOk() ? vars.value : [] });
  const base = {
    id: p.id,
    createdAt: utc(p.created_at),
    ...(reported.target !== undefined ? { target: reported.target.slice(0, 255) } : {}),
  };
  if (seen.isOk()) return { ...base, ...fromObservation(seen.value, reported) };
  const why = failureReason(seen.error, project, p.id);
  const varsWhy = vars?.isErr() ? `; ${failureReason(vars.error, project, p.id)}` : '';
  const reason = `${why}${varsWhy}`.slice(0, MAX_REASON);
  if (reported.cutOff) return { ...base, classification: 'cut-off', basis: 'reported', reason };
  return { ...base, classification: 'unreadable', basis: 'observed', reason };
}

/** Options of `enumerateCutOff`. */
export interface EnumerateCutOffOptions {
  /** Most list pages read (default 10). */
  readonly maxPages?: number;
  /** Page size (default 100, GitLab's maximum). */
  readonly perPage?: number;
  /** Most pipelines of the window classified (default and maximum 1000). */
  readonly maxPipelines?: number;
  /** Read every pipeline's variables (default: when the profile's inputs travel as variables). */
  readonly readVariables?: boolean;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

/**
 * Lists the orchestration pipelines, keeps those created in [windowStart, windowEnd] by their
 * `created_at`, classifies each by what it observably ran, and returns the E3 enumeration record:
 * the query, the window, pages read, whether the list was exhausted, how many pipelines were
 * examined and fell outside the window, each classified pipeline, and the ids of the `cut-off`
 * ones aimed at the target (or at no target GitLab reported).
 *
 * @see E3 S5
 */
export function enumerateCutOff(
  client: GitLabClient,
  config: RunbookConfig,
  target: string,
  window: { readonly start: string; readonly end: string },
  opts: EnumerateCutOffOptions = {},
): ResultAsync<EnumerationRecord, HotfixError> {
  const project = config.orchestration.project;
  const profile = orchestratorFor(config, target);
  const query = { created_after: utc(window.start), created_before: utc(window.end), order_by: 'id', sort: 'desc' };
  const perPage = Math.min(100, Math.max(1, opts.perPage ?? 100));
  const work = async (): Promise<EnumerationRecord> => {
    const listing = await listWindow(client, project, query, {
      startMs: Date.parse(query.created_after),
      endMs: Date.parse(query.created_before),
      perPage,
      maxPages: Math.max(1, opts.maxPages ?? 10),
      maxPipelines: Math.min(MAX_PIPELINES, Math.max(1, opts.maxPipelines ?? MAX_PIPELINES)),
      signal: opts.signal,
    });
    const readVars = opts.readVariables ?? profile.inputsVia === 'variables';
    const pipelines: EnumeratedPipeline[] = [];
    for (const p of listing.inWindow) {
      if (opts.signal?.aborted) throw hotfixError('aborted', 'The E3 enumeration was aborted.', { details: {} });
      pipelines.push(await classify(client, config, target, p, { profile, readVars, signal: opts.signal }));
    }
    const offending = pipelines.filter(
      (p) => p.classification === 'cut-off' && (p.target === undefined || p.target === target),
    );
    const search = new URLSearchParams({ ...query, per_page: String(perPage) }).toString();
    return {
      apiUrl: apiUrl(client, project, `/pipelines?${search}`),
      observedAt: isoNow(opts.clock ?? client.clock),
      query: `GET /projects/${encodeURIComponent(project)}/pipelines?${search}`,
      windowStart: query.created_after,
      windowEnd: query.created_before,
      pagesRead: listing.pagesRead,
      pagesExhausted: listing.exhausted,
      pipelinesExamined: pipelines.length,
      offendingPipelineIds: offending.map((p) => p.id),
      pipelines,
      outsideWindow: listing.outside,
    };
  };
  return fromBody(work());
}
