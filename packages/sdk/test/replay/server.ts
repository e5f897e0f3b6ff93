/**
 * Test support: a tiny replay server. It serves GitLab's own documented example responses
 * (`fixtures/gitlab/replay/*.json`, one file per endpoint the SDK calls) over loopback HTTP,
 * matched by method and route (ids in the path are ignored: the answer is the documented one).
 * It is not a simulator: it never changes state and knows nothing but the fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab-client.js';

/** Where the replay fixtures live (inside the project, relative to the repository root). */
export const REPLAY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/gitlab/replay');

/** One documented example answer. */
export interface ReplayExample {
  readonly name: string;
  readonly gitlab: string;
  readonly status: number;
  readonly contentType?: string;
  readonly body: unknown;
}

/** One fixture file: the endpoint and GitLab's documented answers to it. */
export interface ReplayFixture {
  /** The file name without `.json`. */
  readonly slug: string;
  readonly method: string;
  readonly route: string;
  readonly readBy: readonly string[];
  readonly doc: { readonly path: string; readonly section: string };
  readonly examples: readonly ReplayExample[];
}

/** Reads every fixture; a missing or empty folder throws (a replay suite never skips). */
export function loadReplayFixtures(dir: string = REPLAY_DIR): Map<string, ReplayFixture> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (!files.length) throw new Error(`no replay fixtures in ${dir}`);
  const out = new Map<string, ReplayFixture>();
  for (const f of files) {
    const slug = f.slice(0, -'.json'.length);
    const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<ReplayFixture, 'slug'>;
    if (!raw.method || !raw.route || !raw.examples?.length) throw new Error(`replay fixture ${f} is incomplete`);
    out.set(slug, { ...raw, slug });
  }
  return out;
}

/** A request the replay server answered (or could not). */
export interface ReplayRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** The fixture that answered, or `unmatched`. */
  readonly slug: string;
}

/** A running replay server. */
export interface ReplayServer {
  /** Base URL to give the client as `gitlabUrl`. */
  readonly url: string;
  readonly fixtures: ReadonlyMap<string, ReplayFixture>;
  /** Every request, in order. */
  readonly requests: ReplayRequest[];
  /** Which example a fixture answers with from now on (by name); the first one by default. */
  use(slug: string, example: string): void;
  /** Every fixture back to its first example, and the request log cleared. */
  reset(): void;
  close(): Promise<void>;
}

function matcher(route: string): RegExp {
  const pattern = route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[a-z_]+/g, '[^/]+');
  // A route under /api/ (GraphQL's /api/graphql) is absolute; every other one is REST v4.
  return new RegExp(route.startsWith('/api/') ? `^${pattern}$` : `^/api/v4${pattern}$`);
}

/** Starts the replay server on a free loopback port. */
export async function startReplayServer(dir: string = REPLAY_DIR): Promise<ReplayServer> {
  const fixtures = loadReplayFixtures(dir);
  const routes = [...fixtures.values()].map((f) => ({ f, re: matcher(f.route) }));
  const chosen = new Map<string, string>();
  const requests: ReplayRequest[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    // Match on the raw (still percent-encoded) path, as GitLab's router does.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const hit = routes.find((r) => r.f.method === req.method && r.re.test(path));
    requests.push({ method: req.method ?? '', path, query: url.search, slug: hit?.f.slug ?? 'unmatched' });
    if (!hit) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"404 Not Found"}');
      return;
    }
    const name = chosen.get(hit.f.slug);
    const ex = hit.f.examples.find((e) => e.name === name) ?? hit.f.examples[0];
    if (!ex) throw new Error(`fixture ${hit.f.slug} has no example`);
    const type = ex.contentType ?? 'application/json';
    const text = type === 'application/json' ? JSON.stringify(ex.body) : String(ex.body ?? '');
    res.writeHead(ex.status, { 'content-type': type }).end(text);
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fixtures,
    requests,
    use(slug, example) {
      const f = fixtures.get(slug);
      if (!f?.examples.some((e) => e.name === example)) throw new Error(`no example "${example}" in ${slug}`);
      chosen.set(slug, example);
    },
    reset() {
      chosen.clear();
      requests.length = 0;
    },
    close: () => new Promise<void>((ok, ko) => server.close((e) => (e ? ko(e) : ok()))),
  };
}

/** A client of the replay server: one attempt per request (a replayed answer never changes on retry). */
export function replayClient(server: { readonly url: string }): GitLabClient {
  return createGitLabClient({
    gitlabUrl: server.url,
    token: 'glpat-replay',
    retry: { maxAttempts: 1 },
  })._unsafeUnwrap();
}
