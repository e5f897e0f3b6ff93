/** Reads a service's health endpoint and tells whether it reports the expected SHA (E5). */

import { readLimited } from '../../_internal/transport.js';
import type { ObservedHealth } from './types.js';

/** The health part of a service descriptor (defaults applied). */
export interface HealthSpec {
  readonly url: string;
  readonly versionPath: string;
  readonly expectStatus: number;
  readonly timeoutMs: number;
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
  deps: { readonly fetch: typeof fetch; readonly now: () => number; readonly signal?: AbortSignal | undefined },
): Promise<ObservedHealth> {
  const base = { url: spec.url };
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await deps.fetch(spec.url, { headers: { accept: 'application/json' }, signal, redirect: 'manual' });
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
  let problem: string | undefined;
  if (res.status !== spec.expectStatus) problem = `status ${res.status}, expected ${spec.expectStatus}`;
  else if (version === null) problem = `no version at "${spec.versionPath}"`;
  else if (!shaMatches(version, expectedSha)) problem = `reports ${version}, expected ${expectedSha}`;
  return {
    ...base,
    httpStatus: res.status,
    version,
    ok: problem === undefined,
    ...(problem !== undefined ? { problem } : {}),
    observedAt,
  };
}
