/**
 * The HTTP transport every GitLab call goes through. It keeps GitLab's full error
 * bodies, retries only idempotent requests (with jittered exponential backoff that
 * honours Retry-After and RateLimit-Reset), times out each request, aborts on the
 * caller's signal, bounds response sizes, reports every request as an event, and
 * never lets the token reach an error, an event or a log line.
 */
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type Clock, systemClock } from '../clock.js';
import type { ClientConfig } from '../config.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import { httpError } from './gitlab-error.js';

/** One request, described for progress display, logging and request counting. */
export interface RequestEvent {
  /** ISO 8601 UTC time the attempt started. */
  readonly at: string;
  readonly method: string;
  /** Route template, e.g. `/projects/:id/pipeline`: no ids, no tokens. */
  readonly route: string;
  /** HTTP status, absent when no response arrived. */
  readonly status?: number;
  readonly durationMs: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** `ok`, `retry` (another attempt follows after `retryInMs`) or `error` (final). */
  readonly outcome: 'ok' | 'retry' | 'error';
  readonly retryInMs?: number;
  /** The error code of a failed attempt. */
  readonly errorCode?: string;
}

/** Injected dependencies: tests pass a recording sleep and a fixed random source. */
export interface TransportDeps {
  /** The fetch to use (a proxy-aware one, say); the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Time for Retry-After dates and sleeps between retries (the SDK's one clock); tests pass a virtual one. */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Receives one event per request attempt (method, route template, status, duration): never a token. */
  readonly onEvent?: (event: RequestEvent) => void;
}

/** Query values as GitLab takes them; arrays become `key[]=a&key[]=b`. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** One HTTP request to the GitLab API. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route template with `:name` parameters, e.g. `/projects/:id/merge_requests/:iid`. */
  readonly route: string;
  /** Values for the template's parameters; each is URL-encoded (project paths become `a%2Fb`). */
  readonly params?: Readonly<Record<string, string | number>>;
  /** An already encoded path with query (relative to /api/v4), used instead of filling `route`. */
  readonly rawPath?: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A JSON body (serialised as is: keys are never re-cased). */
  readonly body?: unknown;
  /** A raw body with its content type (for gitbeaker's pre-serialised bodies). */
  readonly rawBody?: { readonly text: string; readonly contentType: string };
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** `bytes` returns a successful body as a Buffer (raw blobs); JSON/text otherwise. */
  readonly responseType?: 'json' | 'bytes';
  /** `graphql` sends to `<gitlabUrl>/api/graphql` (the route is then only a label); REST by default. */
  readonly api?: 'rest' | 'graphql';
  /** A POST that only reads (a GraphQL query): retried like a GET. Never set it on a change. */
  readonly readOnly?: boolean;
}

/** A successful response: status, lower-cased headers and the parsed body. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: T;
}

/** The transport's interface: one method, a Result, never a throw. */
export interface Transport {
  /** Sends one request, retrying when safe. */
  send(req: HttpRequest): ResultAsync<HttpResponse, HotfixError>;
  /** The API base URL (`<gitlabUrl>/api/v4`). */
  readonly apiUrl: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD']);
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Fills a route template: `/projects/:id` + `{id: 'a/b'}` → `/projects/a%2Fb`. */
export function fillRoute(route: string, params: Readonly<Record<string, string | number>> = {}): string {
  return route.replace(/:([a-z_]+)/gi, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === '') throw new Error(`route ${route} needs a non-empty parameter ${name}`);
    // A URL parser resolves `.` and `..` segments (also when written %2E): such a value would
    // silently address another endpoint, so it is refused before anything is sent.
    if (v === '.' || v === '..') throw new Error(`parameter ${name} of ${route} may not be "${v}"`);
    return encodeURIComponent(String(v));
  });
}

/** Serialises a query the way GitLab reads it. */
export function buildQuery(query: Readonly<Record<string, QueryValue>> = {}): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) sp.append(`${k}[]`, item);
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** Milliseconds to wait according to `Retry-After` (seconds or HTTP date) or `RateLimit-Reset` (Unix time). */
export function serverDelayMs(headers: Readonly<Record<string, string>>, now: number): number | undefined {
  const ra = headers['retry-after'];
  if (ra !== undefined) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.ceil(Number(ra) * 1000);
    const t = Date.parse(ra);
    if (!Number.isNaN(t)) return Math.max(0, t - now);
  }
  const reset = headers['ratelimit-reset'];
  const remaining = headers['ratelimit-remaining'];
  if (reset !== undefined && remaining === '0' && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: unknown }
  | { kind: 'error'; error: HotfixError; connected: boolean };

/** Creates the transport for a validated configuration. */
export function createTransport(config: ClientConfig, deps: TransportDeps = {}): Transport {
  const doFetch = deps.fetch ?? fetch;
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const random = deps.random ?? Math.random;
  const apiUrl = `${config.gitlabUrl}/api/v4`;
  const tokenValues = new Set<string>();

  async function authHeaders(): Promise<Record<string, string>> {
    const token = typeof config.token === 'string' ? config.token : await config.token();
    tokenValues.add(token);
    if (config.tokenKind === 'job') return { 'job-token': token };
    if (config.tokenKind === 'oauth') return { authorization: `Bearer ${token}` };
    return { 'private-token': token };
  }

  /** Removes every token value we have sent from a string (defence in depth for error texts). */
  function redact(text: string): string {
    let out = text;
    for (const t of tokenValues) if (t) out = out.split(t).join('[REDACTED]');
    return out;
  }

  async function attemptOnce(req: HttpRequest, url: string, signal: AbortSignal | undefined): Promise<Attempt> {
    const timeoutMs = req.timeoutMs ?? config.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const onAbort = () => controller.abort(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let connected = false;
    try {
      let headers: Record<string, string>;
      try {
        headers = { 'user-agent': config.userAgent, accept: 'application/json', ...(await authHeaders()) };
      } catch (cause) {
        return {
          kind: 'error',
          connected: false,
          error: hotfixError('invalid-input', 'The token provider failed.', {
            details: { pointer: '/token', issues: [{ pointer: '/token', message: 'provider threw' }] },
            // The provider's own message may hold anything (even the secret): keep only its type.
            cause: {
              name: 'TokenProviderError',
              message: `the token provider failed (${cause instanceof Error ? cause.name : typeof cause})`,
            },
          }),
        };
      }
      let body: string | undefined;
      if (req.rawBody) {
        body = req.rawBody.text;
        headers['content-type'] = req.rawBody.contentType;
      } else if (req.body !== undefined) {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
      const res = await doFetch(url, {
        method: req.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: controller.signal,
        redirect: 'manual',
      });
      connected = true;
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        resHeaders[k.toLowerCase()] = v;
      });
      const bytes = await readLimited(res, config.maxResponseBytes);
      if (bytes === undefined) {
        return {
          kind: 'error',
          connected,
          error: hotfixError(
            'response-invalid',
            `GitLab's answer to ${req.method} ${req.route} exceeds ${config.maxResponseBytes} bytes.`,
            {
              details: { method: req.method, route: req.route, issues: [{ pointer: '', message: 'body too large' }] },
            },
          ),
        };
      }
      if (req.responseType === 'bytes' && res.status >= 200 && res.status < 300) {
        return { kind: 'response', status: res.status, headers: resHeaders, body: bytes };
      }
      const text = bytes.toString('utf8');
      const ct = resHeaders['content-type'] ?? '';
      let parsed: unknown = text;
      if (ct.includes('json') && text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          if (res.status >= 200 && res.status < 300) {
            return {
              kind: 'error',
              connected,
              error: hotfixError(
                'response-invalid',
                `GitLab's answer to ${req.method} ${req.route} is not valid JSON.`,
                {
                  details: { method: req.method, route: req.route, issues: [{ pointer: '', message: 'invalid JSON' }] },
                },
              ),
            };
          }
        }
      } else if (text.length === 0) parsed = null;
      return { kind: 'response', status: res.status, headers: resHeaders, body: parsed };
    } catch (cause) {
      const reason = controller.signal.reason instanceof Error ? controller.signal.reason.message : '';
      if (signal?.aborted || reason === 'aborted') {
        return {
          kind: 'error',
          connected,
          error: hotfixError('aborted', `${req.method} ${req.route} was aborted.`, {
            details: { method: req.method, route: req.route },
          }),
        };
      }
      if (reason === 'timeout') {
        return {
          kind: 'error',
          connected: true,
          error: hotfixError('timeout', `${req.method} ${req.route} took longer than ${timeoutMs} ms.`, {
            retryable: true,
            details: { method: req.method, route: req.route, timeoutMs },
          }),
        };
      }
      const code = networkCode(cause);
      return {
        kind: 'error',
        connected: connected || code !== 'ECONNREFUSED',
        error: hotfixError('network', `${req.method} ${req.route} failed: ${redact(code ?? describe(cause))}.`, {
          retryable: true,
          details: { method: req.method, route: req.route, reason: redact(code ?? describe(cause)) },
        }),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  function send(req: HttpRequest): ResultAsync<HttpResponse, HotfixError> {
    let url: string;
    try {
      if (req.rawPath !== undefined && /(^|\/)\.{1,2}(\/|$)/.test(req.rawPath.split('?')[0] ?? '')) {
        throw new Error(`path ${req.rawPath.split('?')[0]} has a "." or ".." segment`);
      }
      url =
        req.api === 'graphql'
          ? `${config.gitlabUrl}/api/graphql`
          : req.rawPath !== undefined
            ? `${apiUrl}${req.rawPath}`
            : `${apiUrl}${fillRoute(req.route, req.params)}${buildQuery(req.query)}`;
    } catch (e) {
      const reason = (e as Error).message;
      return errAsync(
        hotfixError('invalid-input', reason, {
          details: { pointer: '/params', issues: [{ pointer: '/params', message: reason }] },
        }),
      );
    }
    const signal = anySignal([config.signal, req.signal]);
    const idempotent = IDEMPOTENT.has(req.method) || req.readOnly === true;
    const run = async (): Promise<HttpResponse | HotfixError> => {
      for (let attempt = 1; ; attempt++) {
        const started = now();
        const at = new Date(started).toISOString();
        const result = await attemptOnce(req, url, signal);
        const durationMs = now() - started;
        let error: HotfixError;
        let retryHeaders: Record<string, string> = {};
        if (result.kind === 'response') {
          if (result.status >= 200 && result.status < 300) {
            deps.onEvent?.({
              at,
              method: req.method,
              route: req.route,
              status: result.status,
              durationMs,
              attempt,
              outcome: 'ok',
            });
            return { status: result.status, headers: result.headers, body: result.body };
          }
          retryHeaders = result.headers;
          const serverDelay = serverDelayMs(result.headers, now());
          error = httpError(
            {
              method: req.method,
              route: req.route,
              status: result.status,
              body: result.body,
              requestId: result.headers['x-request-id'],
            },
            serverDelay !== undefined ? { retryAfterMs: serverDelay } : {},
          );
          if (!idempotent && result.status >= 502 && result.status <= 504) {
            error = hotfixError(
              'outcome-unknown',
              `${req.method} ${req.route} got ${result.status} from GitLab or a proxy; the change may or may not have been made. Read state before trying again.`,
              {
                details: {
                  method: req.method,
                  route: req.route,
                  reason: `status ${result.status}`,
                  status: result.status,
                },
                cause: error,
              },
            );
          }
        } else {
          error = result.error;
          if (!idempotent && result.connected && (error.code === 'timeout' || error.code === 'network')) {
            error = hotfixError(
              'outcome-unknown',
              `${req.method} ${req.route} was sent but no answer arrived (${error.code}); the change may or may not have been made. Read state before trying again.`,
              { details: { method: req.method, route: req.route, reason: error.code }, cause: error },
            );
          }
        }
        const status = result.kind === 'response' ? result.status : undefined;
        // A POST is retried only when GitLab certainly did not act: the connection was refused,
        // or it answered 429 (rate limited before processing). Never on 5xx or a lost answer.
        const retryable =
          (idempotent ||
            (result.kind === 'error' && !result.connected && error.code === 'network') ||
            status === 429) &&
          attempt < config.retry.maxAttempts &&
          ((status !== undefined && RETRY_STATUSES.has(status)) ||
            error.code === 'network' ||
            error.code === 'timeout' ||
            // A garbled body (a proxy cut it) is worth another GET; a well-formed wrong shape is not.
            (idempotent && error.code === 'response-invalid' && error.details.issues[0]?.message === 'invalid JSON'));
        const report = (outcome: 'error' | 'retry', retryInMs?: number) =>
          deps.onEvent?.({
            at,
            method: req.method,
            route: req.route,
            ...(status !== undefined ? { status } : {}),
            durationMs,
            attempt,
            outcome,
            ...(retryInMs !== undefined ? { retryInMs } : {}),
            errorCode: error.code,
          });
        if (!retryable) {
          report('error');
          return error;
        }
        const serverDelay = serverDelayMs(retryHeaders, now());
        const backoff = Math.round(
          random() * Math.min(config.retry.maxDelayMs, config.retry.baseDelayMs * 2 ** (attempt - 1)),
        );
        const delay = serverDelay !== undefined ? Math.max(serverDelay, backoff) : backoff;
        if (serverDelay !== undefined && serverDelay > config.retry.maxRetryAfterMs) {
          report('error');
          return error;
        }
        report('retry', delay);
        const slept = await clock.sleep(delay, signal).then(
          () => true,
          () => false,
        );
        if (!slept || signal?.aborted) {
          return hotfixError('aborted', `${req.method} ${req.route} was aborted while waiting to retry.`, {
            details: { method: req.method, route: req.route },
          });
        }
      }
    };
    return ResultAsync.fromSafePromise(run()).andThen((r) => (isHotfixError(r) ? errAsync(r) : okAsync(r)));
  }

  return { send, apiUrl };
}

function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

/** Reads a body up to `max` bytes; `undefined` (and the stream cancelled) when it is larger. */
export async function readLimited(res: Response, max: number): Promise<Buffer | undefined> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function networkCode(cause: unknown): string | undefined {
  let c: unknown = cause;
  for (let i = 0; i < 4 && c && typeof c === 'object'; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
