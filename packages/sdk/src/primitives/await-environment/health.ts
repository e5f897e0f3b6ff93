/** Reads a service's health endpoint and tells whether it reports the expected SHA (E5). */

import { fetchCheck } from '../../_internal/check-fetch.js';
import { readLimited } from '../../_internal/transport.js';
import type { HealthIdentity, ObservedHealth } from './types.js';

/** The health part of a service descriptor (defaults applied). */
export interface HealthSpec {
  readonly url: string;
  readonly versionPath: string;
  /**
   * E5 by build identity: a regular expression over the reported version with a named group
   * `sha` (a commit prefix of at least 7 hex digits) or `deployment` (the GitLab deployment id).
   */
  readonly versionPattern?: string | undefined;
  readonly expectStatus: number;
  readonly timeoutMs: number;
}

/**
 * How a reported version names a commit: the version itself (a SHA or its abbreviation), or,
 * with a `versionPattern`, the pattern's `sha` group or its `deployment` group (the deployment
 * must be the one observed for the expected commit).
 */
export function identifyVersion(
  version: string,
  expectedSha: string,
  pattern: string | undefined,
  deploymentId: number | undefined,
): { readonly identity: HealthIdentity; readonly matches: boolean } {
  if (pattern === undefined) {
    return { identity: { basis: 'sha', captured: version }, matches: shaMatches(version, expectedSha) };
  }
  const groups = new RegExp(pattern).exec(version)?.groups;
  if (groups?.sha !== undefined) {
    const ok = /^[0-9a-f]{7,40}$/i.test(groups.sha) && shaMatches(groups.sha, expectedSha);
    return { identity: { basis: 'pattern-sha', pattern, captured: groups.sha }, matches: ok };
  }
  if (groups?.deployment !== undefined) {
    const ok = deploymentId !== undefined && groups.deployment === String(deploymentId);
    return { identity: { basis: 'pattern-deployment', pattern, captured: groups.deployment }, matches: ok };
  }
  return { identity: { basis: 'pattern-sha', pattern, captured: null }, matches: false };
}

/** Reads a dotted path (`version`, `build.sha`, `items.0.id`) from a JSON value. */
export function readPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** Whether a reported version names the expected commit (full SHA, or an abbreviation of at least 7 characters). */
export function shaMatches(reported: string, expected: string): boolean {
  const a = reported.trim().toLowerCase();
  const b = expected.trim().toLowerCase();
  if (a === b) return true;
  if (a.length < 7 || b.length < 7) return false;
  return a.startsWith(b) || b.startsWith(a);
}

/** One health check; never throws (a failed request is an observation that is not ok). */
export async function checkHealth(
  spec: HealthSpec,
  expectedSha: string,
  deps: {
    readonly fetch: typeof fetch;
    readonly now: () => number;
    readonly signal?: AbortSignal | undefined;
    /** The operator's headers for this service's checks (values are secrets: never recorded). */
    readonly headers?: Readonly<Record<string, string>> | undefined;
    /** The deployment observed for the expected commit, for a `deployment` version pattern. */
    readonly deploymentId?: number | undefined;
  },
): Promise<ObservedHealth> {
  const base = { url: spec.url };
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
  let res: Response;
  try {
    const got = await fetchCheck(deps.fetch, spec.url, {
      headers: { ...deps.headers, accept: 'application/json' },
      signal,
    });
    if (got.kind === 'refused') {
      return {
        ...base,
        httpStatus: undefined,
        version: null,
        ok: false,
        problem: got.problem,
        observedAt: new Date(deps.now()).toISOString(),
      };
    }
    res = got.response;
  } catch (e) {
    return {
      ...base,
      httpStatus: undefined,
      version: null,
      ok: false,
      problem: `no answer (${e instanceof Error ? e.name : 'error'})`,
      observedAt: new Date(deps.now()).toISOString(),
    };
  }
  const observedAt = new Date(deps.now()).toISOString();
  let body: unknown;
  try {
    // Read up to a cap (a health answer is small; a huge one is not read whole): larger is no version.
    const bytes = await readLimited(res, 1_000_000);
    body = bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
  } catch {
    body = undefined;
  }
  const raw = readPath(body, spec.versionPath);
  const version = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : null;
  const id =
    version === null ? undefined : identifyVersion(version, expectedSha, spec.versionPattern, deps.deploymentId);
  let problem: string | undefined;
  if (res.status !== spec.expectStatus) problem = `status ${res.status}, expected ${spec.expectStatus}`;
  else if (version === null) problem = `no version at "${spec.versionPath}"`;
  else if (!id?.matches) problem = versionProblem(version, expectedSha, id?.identity, deps.deploymentId);
  return {
    ...base,
    httpStatus: res.status,
    version,
    ...(id ? { identity: id.identity } : {}),
    ok: problem === undefined,
    ...(problem !== undefined ? { problem } : {}),
    observedAt,
  };
}

function versionProblem(
  version: string,
  expectedSha: string,
  identity: HealthIdentity | undefined,
  deploymentId: number | undefined,
): string {
  if (identity === undefined || identity.basis === 'sha') return `reports ${version}, expected ${expectedSha}`;
  if (identity.captured === null) return `reports ${version}, which the version pattern does not match (E5)`;
  if (identity.basis === 'pattern-deployment')
    return `reports ${version} (deployment ${identity.captured}), expected deployment ${deploymentId ?? 'of'} ${expectedSha.slice(0, 12)}`;
  return `reports ${version} (commit ${identity.captured}), expected ${expectedSha}`;
}
