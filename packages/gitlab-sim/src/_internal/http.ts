import type { IncomingHttpHeaders } from 'node:http';

/** A response a handler returns; the server adds rate-limit and request-id headers. */
export interface SimResponse {
  readonly status: number;
  /** A JSON value (serialised by the server), a raw Buffer/string, or undefined for no body. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Set when `body` is raw text or bytes rather than JSON. */
  readonly raw?: boolean;
}

/** Thrown by handlers to answer with a GitLab-shaped error; the server turns it into a response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' ? JSON.stringify(body) : String(body));
    this.name = 'ApiError';
  }
}

/** 200/201 JSON answer. */
export function json(body: unknown, status = 200, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

/** `404 {"message":"404 <What> Not Found"}` as GitLab's `not_found!` renders it. */
export function notFound(what?: string): ApiError {
  return new ApiError(404, { message: what ? `404 ${what} Not Found` : '404 Not found' });
}

/** `404 {"error":"404 Not Found"}`: Grape's answer for a route that does not exist. */
export function routeNotFound(): ApiError {
  return new ApiError(404, { error: '404 Not Found' });
}

/** `400 {"error":"<param> is missing"}`: Grape's parameter validation. */
export function missingParam(name: string): ApiError {
  return new ApiError(400, { error: `${name} is missing` });
}

/** `400 {"error":"<param> is invalid"}`: Grape's type validation. */
export function invalidParam(name: string): ApiError {
  return new ApiError(400, { error: `${name} is invalid` });
}

/** `400 {"message":"400 Bad request - <reason>"}` as `bad_request!` renders it. */
export function badRequest(reason: string): ApiError {
  return new ApiError(400, { message: `400 Bad request - ${reason}` });
}

/** `400 {"message": {"field": ["..."]}}` as `render_validation_error!` renders it. */
export function validationError(fields: Record<string, string[]>, status = 400): ApiError {
  return new ApiError(status, { message: fields });
}

/** `401 {"message":"401 Unauthorized"}`. */
export function unauthorized(): ApiError {
  return new ApiError(401, { message: '401 Unauthorized' });
}

/** `403 {"message":"403 Forbidden"}` (optionally with a reason, as `forbidden!(reason)` renders it). */
export function forbidden(reason?: string): ApiError {
  return new ApiError(403, { message: reason ? `403 Forbidden - ${reason}` : '403 Forbidden' });
}

/** `409 {"message":"<text>"}`. */
export function conflictError(message: string): ApiError {
  return new ApiError(409, { message });
}

/** Reads a header as one string (first value when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The parsed query: single values, plus `key[]` arrays collected under `key`. */
export class Query {
  constructor(readonly params: URLSearchParams) {}

  /** A single value, or undefined when absent. */
  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** All values given as `name=a&name=b` or `name[]=a&name[]=b`. */
  all(name: string): string[] {
    return [...this.params.getAll(name), ...this.params.getAll(`${name}[]`)];
  }

  /** A boolean as Grape parses it (`true`/`false`/`1`/`0`), undefined when absent, ApiError when invalid. */
  bool(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalidParam(name);
  }

  /** A positive integer, undefined when absent, ApiError when invalid. */
  int(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw invalidParam(name);
    return Number(v);
  }
}

/**
 * Slices a list the way GitLab's offset pagination does and sets its headers:
 * x-page, x-per-page, x-next-page, x-prev-page, x-total, x-total-pages and Link.
 * `withTotals: false` omits x-total / x-total-pages / rel="last" (the commits API does).
 */
export function paginate<T>(
  items: readonly T[],
  query: Query,
  baseUrl: string,
  opts: { withTotals?: boolean } = {},
): SimResponse & { body: T[] } {
  const page = Math.max(1, query.int('page') ?? 1);
  const perPage = Math.min(100, Math.max(1, query.int('per_page') ?? 20));
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const next = page < totalPages ? String(page + 1) : '';
  const prev = page > 1 ? String(page - 1) : '';
  const link = (p: number, rel: string) => {
    const u = new URL(baseUrl);
    u.searchParams.set('page', String(p));
    u.searchParams.set('per_page', String(perPage));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (prev) links.push(link(page - 1, 'prev'));
  if (next) links.push(link(page + 1, 'next'));
  links.push(link(1, 'first'));
  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': next,
    'x-prev-page': prev,
  };
  if (opts.withTotals !== false) {
    headers['x-total'] = String(total);
    headers['x-total-pages'] = String(totalPages);
    links.push(link(totalPages, 'last'));
  }
  headers.link = links.join(', ');
  return { status: 200, body: slice, headers };
}
