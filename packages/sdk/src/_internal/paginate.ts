import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { type HotfixError, hotfixError } from '../errors.js';
import { buildQuery, fillRoute, type HttpResponse, type QueryValue, type Transport } from './transport.js';
import { validate } from './validate.js';

/** Bounds of one paginated read. */
export interface ListOptions {
  /** Page size (GitLab's maximum is 100). */
  readonly perPage?: number;
  /** Most pages to read. */
  readonly maxPages?: number;
  /** When pages remain after `maxPages`: `error` (default) gives `pagination-limit`, `partial` returns what was read. */
  readonly onLimit?: 'error' | 'partial';
  readonly signal?: AbortSignal;
}

/** What a paginated read returns: the items and whether every page was read. */
export interface ListResult<T> {
  readonly items: T[];
  readonly pagesRead: number;
  /** True when the last page was reached (no `next` link remained). */
  readonly exhausted: boolean;
  /** `x-total` when GitLab sent it (the commits API never does). */
  readonly total?: number;
}

function nextLinkQuery(headers: Readonly<Record<string, string>>): string | undefined {
  const link = headers.link;
  if (link) {
    for (const part of link.split(',')) {
      const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
      if (m?.[1]) {
        try {
          // Only the query of the link is used: a hostile Link can not redirect us to another host.
          return new URL(m[1]).search;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

/**
 * Reads a GitLab list explicitly, page by page, following `Link: rel="next"` (offset or
 * keyset) or `x-next-page`, bounded by `maxPages`.
 */
export function paginate<S extends z.ZodType>(
  transport: Transport,
  defaults: { perPage: number; maxPages: number },
  req: {
    route: string;
    params?: Readonly<Record<string, string | number>>;
    query?: Readonly<Record<string, QueryValue>>;
    schema: S;
  },
  opts: ListOptions = {},
): ResultAsync<ListResult<z.output<S>>, HotfixError> {
  const perPage = opts.perPage ?? defaults.perPage;
  const maxPages = opts.maxPages ?? defaults.maxPages;
  const arraySchema = z.array(req.schema);
  const base = fillRoute(req.route, req.params);
  const items: z.output<S>[] = [];
  const step = (search: string, pagesRead: number): ResultAsync<ListResult<z.output<S>>, HotfixError> =>
    transport
      .send({
        method: 'GET',
        route: req.route,
        rawPath: `${base}${search}`,
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
      .andThen((res: HttpResponse) => {
        const v = validate(arraySchema, res.body, 'GET', req.route);
        if (v.isErr()) return errAsync(v.error);
        items.push(...v.value);
        const read = pagesRead + 1;
        let next = nextLinkQuery(res.headers);
        const nextPage = res.headers['x-next-page'];
        if (next === undefined && nextPage) {
          next = buildQuery({ ...req.query, per_page: perPage, page: Number(nextPage) });
        }
        const total = res.headers['x-total'] ? Number(res.headers['x-total']) : undefined;
        const done = (exhausted: boolean) =>
          okAsync({ items, pagesRead: read, exhausted, ...(total !== undefined ? { total } : {}) });
        if (!next) return done(true);
        if (read >= maxPages) {
          if (opts.onLimit === 'partial') return done(false);
          return errAsync(
            hotfixError(
              'pagination-limit',
              `GET ${req.route} has more than ${maxPages} pages of ${perPage}; raise maxPages or narrow the query.`,
              {
                details: { route: req.route, maxPages, perPage },
              },
            ),
          );
        }
        return step(next, read);
      });
  return step(buildQuery({ ...req.query, per_page: perPage }), 0);
}
