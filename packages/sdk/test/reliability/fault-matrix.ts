/**
 * The fault matrix (issue 12): for a step of a promotion (a GitLab route) and a fault
 * kind, run a full promotion against the simulator with that fault injected once, then
 * check what a release engineer needs to be true: the promotion finished, or stopped with
 * a typed, explained error and resumes to completion; no side effect (pick, revert,
 * pipeline, note, label) happened twice; the evidence on disk is valid; no secret leaked.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle, readJournal } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo, type FaultRule, type LoggedRequest } from '@hotfix-release/gitlab-sim';
import { isHotfixError } from '../../src/errors.js';
import { type FlowEvent, promoteHotfix } from '../../src/flows/promote-hotfix.js';
import { resumeHotfix } from '../../src/flows/resume-hotfix.js';
import { parseRunbookConfig, type RunbookConfig } from '../../src/runbook-config.js';
import { makeReleaseWorld, type ReleaseWorld } from '../release-world.js';

/** The token every reliability run uses, and that must never appear in any output. */
export const SENTINEL_TOKEN = 'glpat-RELIABILITY-SENTINEL-4b1d';

/** One fault, as the simulator's fault table takes it (times: 1). */
export type FaultCase = Omit<FaultRule, 'times' | 'skip'> & {
  readonly method: string;
  readonly route: string;
  readonly label: string;
};

/** What one case showed. */
export interface CaseResult {
  readonly label: string;
  /** `promoted` directly; `resumed` after stopping with a typed error and one resume; `failed` otherwise. */
  readonly outcome: 'promoted' | 'resumed' | 'failed';
  /** The typed error or stop reason when the first run did not promote. */
  readonly stoppedWith?: string;
  readonly duplicates: readonly string[];
  readonly evidenceValid: boolean;
  readonly leaks: number;
  readonly ms: number;
  readonly detail?: string;
}

const MAIN = demo.mergeRequests.cleanPick.project;
const SIDE_EFFECTS = [
  /\/cherry_pick$/,
  /\/revert$/,
  /\/pipeline$/,
  /\/notes$/,
  /^\/projects\/:id\/merge_requests\/:merge_request_iid$/,
];

/** The runbook configuration for the demo target, with the simulator's health endpoint as smoke check. */
export function reliabilityConfig(simUrl: string): RunbookConfig {
  const health = `${simUrl}/-/sim/services/${MAIN}/staging/health`;
  return parseRunbookConfig({
    services: [
      { project: MAIN, health: { url: health }, smokeChecks: [{ name: 'version', url: health, jsonPath: 'version' }] },
    ],
  })._unsafeUnwrap();
}

/** Side-effecting requests GitLab acted on (handled, 2xx), by `METHOD route`, counted. */
export function sideEffectCounts(log: readonly LoggedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of log) {
    if (r.method === 'GET' || !r.handled || r.status >= 400 || (r.status === 0 && r.fault !== 'drop-after')) continue;
    if ((r.body as { dry_run?: boolean } | undefined)?.dry_run) continue;
    if (!SIDE_EFFECTS.some((re) => re.test(r.route))) continue;
    const key = `${r.method} ${r.route}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The GitLab routes a clean promotion uses (the matrix's rows). */
export async function promotionRoutes(): Promise<{ method: string; route: string }[]> {
  const w = await makeReleaseWorld({ start: new Date(), token: SENTINEL_TOKEN });
  try {
    const r = await promoteHotfix(w.client, reliabilityConfig(w.sim.url), {
      mr: demo.mergeRequests.cleanPick,
      clock: w.clock,
    });
    if (r.isErr() || !r.value.ok) throw new Error('the clean promotion must succeed');
    const seen = new Map<string, { method: string; route: string }>();
    for (const q of w.gitlabRequests())
      if (q.route !== 'unmatched') seen.set(`${q.method} ${q.route}`, { method: q.method, route: q.route });
    return [...seen.values()];
  } finally {
    await w.close();
  }
}

/** Runs one promotion with one injected fault and checks it. */
export async function runFaultCase(c: FaultCase): Promise<CaseResult> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'fault-'));
  let w: ReleaseWorld | undefined;
  const outputs: string[] = [];
  try {
    w = await makeReleaseWorld({
      start: new Date(),
      token: SENTINEL_TOKEN,
      timeoutMs: 1_000,
      retry: { maxAttempts: 4 },
    });
    const config = reliabilityConfig(w.sim.url);
    const journalPath = join(dir, 'evidence.journal.json');
    const { label, ...rule } = c;
    w.sim.fault({ ...rule, times: 1 });
    const events: FlowEvent[] = [];
    const opts = { journalPath, clock: w.clock, maxWaitMs: 20 * 60_000, onEvent: (e: FlowEvent) => events.push(e) };
    let stoppedWith: string | undefined;
    let outcome: CaseResult['outcome'] = 'failed';
    let detail: string | undefined;
    try {
      const first = await promoteHotfix(w.client, config, { ...opts, mr: demo.mergeRequests.cleanPick });
      outputs.push(JSON.stringify(first));
      if (first.isOk() && first.value.ok) outcome = 'promoted';
      else {
        stoppedWith = first.isErr()
          ? first.error.code
          : first.value.targets.map((t) => `${t.reason}:${t.error?.code ?? ''}`).join(',');
        if (first.isErr() && !isHotfixError(first.error)) detail = 'untyped error';
        // Stopped before the journal existed (preflight): nothing changed, so the operator simply runs it again.
        const started = (await readJournal(journalPath)).isOk();
        const again = started
          ? await resumeHotfix(w.client, config, opts)
          : await promoteHotfix(w.client, config, { ...opts, mr: demo.mergeRequests.cleanPick });
        outputs.push(JSON.stringify(again));
        if (again.isOk() && again.value.ok) outcome = 'resumed';
        else detail = again.isErr() ? again.error.message : again.value.targets.map((t) => t.message).join('; ');
      }
    } catch (e) {
      detail = `threw: ${e instanceof Error ? e.stack : String(e)}`;
    }
    outputs.push(JSON.stringify(events));
    const duplicates = [...sideEffectCounts(w.sim.controls.requests)]
      .filter(([, n]) => n > 1)
      .map(([k, n]) => `${k} ×${n}`);
    const journal = await readJournal(journalPath);
    const evidenceValid = journal.isOk() && parseBundle(journal.value.bundle).isOk();
    try {
      outputs.push(await readFile(journalPath, 'utf8'));
    } catch {
      // No journal: the promotion stopped before it began (then evidenceValid is false too).
    }
    const leaks = outputs.filter((o) => o.includes(SENTINEL_TOKEN)).length;
    return {
      label: c.label,
      outcome,
      ...(stoppedWith ? { stoppedWith } : {}),
      duplicates,
      evidenceValid,
      leaks,
      ms: Math.round(performance.now() - started),
      ...(detail ? { detail } : {}),
    };
  } finally {
    await w?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fault kinds of the matrix, with the parameters each needs. */
export const FAULT_KINDS: readonly (Omit<FaultCase, 'method' | 'route' | 'label'> & { readonly name: string })[] = [
  { name: '429+Retry-After', kind: 'status', status: 429, retryAfterSeconds: 2 },
  { name: '500', kind: 'status', status: 500 },
  { name: '502 html', kind: 'html-error', status: 502 },
  { name: '503', kind: 'status', status: 503 },
  { name: 'drop before', kind: 'drop-before' },
  { name: 'drop after', kind: 'drop-after' },
  { name: 'slow past timeout', kind: 'delay', delayMs: 1_500 },
  { name: 'malformed JSON', kind: 'malformed-json' },
];

/** The cases for the given routes × kinds. */
export function matrix(routes: readonly { method: string; route: string }[], kinds = FAULT_KINDS): FaultCase[] {
  return routes.flatMap((r) =>
    kinds.map(({ name, ...k }) => ({
      ...k,
      method: r.method,
      route: r.route,
      label: `${r.method} ${r.route} / ${name}`,
    })),
  );
}
