import { type GitLabSim, startGitLabSim } from '../src/server.js';

/** A JSON body in tests (GitLab entities are checked by the contract tests, not by types). */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are asserted field by field in tests.
export type Json = any;

/** A tiny REST client for tests: raw fetch, so status codes and bodies are seen exactly. */
export interface TestApi {
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
  get(path: string, token?: string): Promise<Json>;
}

/** Builds a fetch-based API helper for a simulator (admin token unless told otherwise). */
export function testApi(sim: GitLabSim): TestApi {
  const call: TestApi['call'] = async (method, path, body, token = sim.token) => {
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method,
      headers: { 'PRIVATE-TOKEN': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    call,
    async get(path, token) {
      const r = await call('GET', path, undefined, token);
      if (r.status !== 200) throw new Error(`GET ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}

/** URL-encodes a project path for `/projects/:id`. */
export const enc = (path: string): string => encodeURIComponent(path);

/** Starts the demo scenario. */
export function startDemo(): Promise<GitLabSim> {
  return startGitLabSim({ scenario: 'demo' });
}
