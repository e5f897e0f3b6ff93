/**
 * runSmokeChecks: the hotfix-specific checks of S7/E6, from the service descriptor
 * (HTTP checks) and from user-supplied async functions (scripts). Each result is
 * recorded with its duration and a digest of its output.
 */
import { createHash } from 'node:crypto';
import { ResultAsync } from 'neverthrow';
import { fetchCheck } from '../_internal/check-fetch.js';
import { readLimited } from '../_internal/transport.js';
import { type Clock, isoNow, systemClock } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { SmokeCheck } from '../runbook-config.js';

/** Largest smoke-check answer read (bytes). */
const SMOKE_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A smoke check written as code: returns whether it passed and what it saw. */
export interface CustomSmokeCheck {
  readonly name: string;
  readonly timeoutMs?: number;
  /** Runs the check against staging; `expectedSha` is the commit that must be deployed. */
  run(ctx: { readonly expectedSha: string; readonly signal: AbortSignal }): Promise<{ ok: boolean; output: string }>;
}

/** The result of one check. */
export interface SmokeCheckResult {
  readonly name: string;
  readonly kind: 'http' | 'script';
  readonly result: 'passed' | 'failed' | 'timed_out' | 'error';
  /** The URL checked (HTTP checks). */
  readonly url?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** `sha256:` of the output (response body or script output). */
  readonly outputDigest: string;
  /** One line saying what was expected and what was seen. */
  readonly message: string;
}

function digest(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Reads a dotted path (`build.sha`, `items.0.id`) from a JSON value. */
export function readJsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur as object, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

async function httpCheck(
  check: SmokeCheck,
  expectedSha: string,
  clock: Clock,
  signal: AbortSignal | undefined,
  headers: Readonly<Record<string, string>> | undefined,
): Promise<SmokeCheckResult> {
  const startedAt = isoNow(clock);
  const t0 = performance.now();
  const url = check.url.replaceAll('{sha}', expectedSha);
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const done = (result: SmokeCheckResult['result'], output: string, message: string): SmokeCheckResult => ({
    name: check.name,
    kind: 'http',
    result,
    url,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    outputDigest: digest(output),
    message,
  });
  try {
    // Same-origin redirects are followed (bounded); another origin would receive the operator's headers.
    const got = await fetchCheck(fetch, url, {
      method: check.method,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      ...(headers ? { headers } : {}),
    });
    if (got.kind === 'refused') return done('failed', '', got.problem);
    const res = got.response;
    // A staging endpoint is not trusted to answer briefly: the body is read up to a cap.
    const bytes = await readLimited(res, SMOKE_MAX_BODY_BYTES);
    if (bytes === undefined) return done('failed', '', `the answer exceeds ${SMOKE_MAX_BODY_BYTES} bytes`);
    const body = bytes.toString('utf8');
    if (res.status !== check.expectStatus)
      return done('failed', body, `expected HTTP ${check.expectStatus}, got ${res.status}`);
    if (check.bodyContains !== undefined && !body.includes(check.bodyContains.replaceAll('{sha}', expectedSha))) {
      return done('failed', body, `body does not contain "${check.bodyContains}"`);
    }
    if (check.jsonPath !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return done('failed', body, 'body is not JSON');
      }
      const actual = readJsonPath(json, check.jsonPath);
      const expected = (check.equals ?? '{sha}').replaceAll('{sha}', expectedSha);
      if (String(actual) !== expected)
        return done(
          'failed',
          body,
          `${check.jsonPath} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
        );
    }
    return done('passed', body, `HTTP ${res.status}${check.jsonPath ? `, ${check.jsonPath} as expected` : ''}`);
  } catch (e) {
    if (timeout.aborted) return done('timed_out', '', `no answer within ${check.timeoutMs} ms`);
    return done('error', '', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

async function customCheck(
  check: CustomSmokeCheck,
  expectedSha: string,
  clock: Clock,
  signal?: AbortSignal,
): Promise<SmokeCheckResult> {
  const startedAt = isoNow(clock);
  const t0 = performance.now();
  const timeoutMs = check.timeoutMs ?? 60_000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('timeout')), timeoutMs);
  const onAbort = () => ac.abort(new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const base = { name: check.name, kind: 'script' as const, startedAt };
  try {
    const raced = await Promise.race([
      check.run({ expectedSha, signal: ac.signal }),
      new Promise<never>((_, reject) =>
        ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }),
      ),
    ]);
    const durationMs = Math.round(performance.now() - t0);
    return {
      ...base,
      result: raced.ok ? 'passed' : 'failed',
      durationMs,
      outputDigest: digest(raced.output),
      message: raced.output.split('\n')[0]?.slice(0, 200) ?? '',
    };
  } catch (e) {
    const durationMs = Math.round(performance.now() - t0);
    const timedOut = ac.signal.reason instanceof Error && ac.signal.reason.message === 'timeout';
    return {
      ...base,
      result: timedOut ? 'timed_out' : 'error',
      durationMs,
      outputDigest: digest(''),
      message: timedOut ? `no result within ${timeoutMs} ms` : e instanceof Error ? e.message : String(e),
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs every check (HTTP checks from the service descriptor, then custom ones) and
 * returns one result per check. It never fails as a whole: a check that throws or
 * times out is recorded as `error` or `timed_out`.
 *
 * @example
 * ```ts
 * const results = await runSmokeChecks(service.smokeChecks, [], { expectedSha: sha });
 * const allPassed = results.isOk() && results.value.every((r) => r.result === 'passed');
 * ```
 * @see S7 E6 P6
 */
export function runSmokeChecks(
  checks: readonly SmokeCheck[],
  custom: readonly CustomSmokeCheck[],
  opts: {
    readonly expectedSha: string;
    readonly signal?: AbortSignal;
    /** Stamps each check's start (the wall clock by default; a promotion passes its clock). */
    readonly clock?: Clock;
    /**
     * Headers sent with every HTTP check (staging behind auth); their values are secrets and appear
     * in no result. A redirect is followed only to the same origin, at most 5 times.
     */
    readonly headers?: Readonly<Record<string, string>>;
    /** Headers sent only with the HTTP check of that name (over `headers`); secrets as well. */
    readonly headersByCheck?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  },
): ResultAsync<SmokeCheckResult[], HotfixError> {
  const work = async () => {
    const out: SmokeCheckResult[] = [];
    const clock = opts.clock ?? systemClock;
    for (const c of checks) {
      const own = opts.headersByCheck?.[c.name];
      const headers = own ? { ...opts.headers, ...own } : opts.headers;
      out.push(await httpCheck(c, opts.expectedSha, clock, opts.signal, headers));
    }
    for (const c of custom) out.push(await customCheck(c, opts.expectedSha, clock, opts.signal));
    return out;
  };
  return ResultAsync.fromSafePromise(work());
}
