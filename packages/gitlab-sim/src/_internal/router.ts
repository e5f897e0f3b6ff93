import type { IncomingHttpHeaders } from 'node:http';
import type { SimClock } from '../clock.js';
import type { SimProject, SimState, SimToken, SimUser } from '../state.js';
import { ApiError, type Query, type SimResponse } from './http.js';

/** Everything a REST handler sees. */
export interface RequestContext {
  readonly method: string;
  /** The route template that matched, e.g. `/projects/:id/pipeline`. */
  readonly route: string;
  /** Path parameters, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  /** Parsed JSON or form body; `{}` when there was none. */
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  /** The authenticated user, or undefined for an anonymous request. */
  readonly user: SimUser | undefined;
  readonly token: SimToken | undefined;
  readonly state: SimState;
  readonly clock: SimClock;
  /** Base URL of the simulator, e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl: string;
  /** Full URL of this request (for Link headers). */
  readonly url: string;
  /** Services shared by handlers (git runner, repo locks, CI engine...). */
  readonly services: SimServices;
}

/** Shared services; resources add what they need through `register`. */
export interface SimServices {
  /** Looks up the `:id` project, enforcing read access, or throws GitLab's 404. */
  project(ctx: RequestContext, idParam?: string): SimProject;
  /** Throws 403 unless the user has at least `level` on the project. */
  requireAccess(ctx: RequestContext, project: SimProject, level: number): void;
  /** Serialises repository writes per project. */
  withRepoLock<T>(project: SimProject, fn: () => Promise<T>): Promise<T>;
  /** Extension slots (the CI engine registers itself here). */
  readonly ext: Record<string, unknown>;
}

/** A REST handler. Throw ApiError for GitLab-shaped errors. */
export type Handler = (ctx: RequestContext) => SimResponse | Promise<SimResponse>;

interface Route {
  readonly method: string;
  readonly template: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

/**
 * Matches `METHOD /path` against route templates. Path parameters are single raw
 * segments, decoded after matching, so `evenergi%2Fdevelop` is one `:id` while an
 * unencoded `evenergi/develop` matches no route (GitLab answers `{"error":"404 Not Found"}`).
 * A template segment `*name` swallows the rest of the path (for file paths in `raw` routes).
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route; later calls with the same method and template replace earlier ones. */
  on(method: string, template: string, handler: Handler): this {
    const idx = this.routes.findIndex((r) => r.method === method && r.template === template);
    const route = { method, template, segments: template.split('/').filter(Boolean), handler };
    if (idx >= 0) this.routes[idx] = route;
    else this.routes.push(route);
    return this;
  }

  /** Finds the handler for a method and raw (still encoded) path. */
  match(
    method: string,
    rawPath: string,
  ): { handler: Handler; template: string; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
    const parts = rawPath.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { handler: route.handler, template: route.template, params };
      }
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }

  /** Every registered route, for documentation and tests. */
  list(): { method: string; template: string }[] {
    return this.routes.map((r) => ({ method: r.method, template: r.template }));
  }
}

function matchSegments(template: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    if (t.startsWith('*')) {
      const rest = parts.slice(i);
      if (rest.length === 0) return undefined;
      params[t.slice(1)] = rest.map(safeDecode).join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined) return undefined;
    if (t.startsWith(':')) params[t.slice(1)] = safeDecode(p);
    else if (t !== p) return undefined;
  }
  return parts.length === template.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(400, { error: '400 Bad Request' });
  }
}
