import { type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from './_internal/transport.js';
import type { HotfixError } from './errors.js';
import { createGitLabClient, type GitLabClient } from './gitlab-client.js';

const SENTINEL = 'glpat-SENTINEL-7f3c9a-never-print-me';

describe('createGitLabClient', () => {
  let sim: GitLabSim;
  const events: RequestEvent[] = [];
  const sleeps: number[] = [];
  let client: GitLabClient;
  const outputs: string[] = [];

  beforeAll(async () => {
    sim = await startGitLabSim({ token: SENTINEL });
    // Per-test routes on the simulator's router: real HTTP, GitLab's shapes.
    sim.router.on('POST', '/projects/:id/pipeline', () => ({
      status: 201,
      body: {
        id: 1,
        project_id: 1,
        sha: 'a'.repeat(40),
        ref: 'main',
        status: 'created',
        created_at: '2026-01-01T00:00:00.000Z',
        web_url: 'x',
      },
    }));
    sim.router.on('GET', '/projects/:id/pipelines', (ctx) => {
      const all = Array.from({ length: 250 }, (_, i) => ({
        id: 250 - i,
        project_id: 1,
        sha: 'a'.repeat(40),
        ref: 'main',
        status: 'success',
        created_at: '2026-01-01T00:00:00.000Z',
        web_url: `x/${i}`,
      }));
      const page = Number(ctx.query.get('page') ?? 1);
      const per = Number(ctx.query.get('per_page') ?? 20);
      const slice = all.slice((page - 1) * per, page * per);
      const next = page * per < all.length ? String(page + 1) : '';
      const url = new URL(ctx.url);
      url.searchParams.set('page', next);
      return {
        status: 200,
        body: slice,
        headers: { 'x-next-page': next, 'x-total': '250', ...(next ? { link: `<${url}>; rel="next"` } : {}) },
      };
    });
    sim.router.on('GET', '/projects/:id/merge_requests/:merge_request_iid', (ctx) => {
      if (ctx.params.merge_request_iid === '1') return { status: 200, body: { id: 'not-a-number' } };
      return { status: 404, body: { message: '404 Not found' } };
    });
  });
  afterAll(async () => {
    const all = JSON.stringify({ events, outputs, log: sim.controls.requests });
    expect(all.includes(SENTINEL)).toBe(false);
    await sim.close();
  });
  beforeEach(() => {
    events.length = 0;
    sleeps.length = 0;
    sim.controls.clearFaults();
    const c = createGitLabClient(
      {
        gitlabUrl: sim.url,
        token: SENTINEL,
        timeoutMs: 500,
        retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 },
      },
      {
        onEvent: (e) => events.push(e),
        clock: {
          now: () => Date.now(),
          sleep: async (ms) => {
            sleeps.push(ms);
          },
        },
        random: () => 0.5,
      },
    );
    if (c.isErr()) throw new Error(c.error.message);
    client = c.value;
  });
  const record = (e: HotfixError) => {
    outputs.push(JSON.stringify(e));
    return e;
  };

  it('returns invalid-input naming the field for bad configuration', () => {
    const bad = createGitLabClient({ gitlabUrl: 'not a url', token: '' });
    expect(bad.isErr() && bad.error.code).toBe('invalid-input');
    expect(bad._unsafeUnwrapErr().message).toMatch(/gitlabUrl/);
    expect(bad._unsafeUnwrapErr().message).toMatch(/token/);
  });

  it('reads the current user and reports the request as an event with its route template', async () => {
    const me = await client.currentUser();
    expect(me._unsafeUnwrap().username).toBe('root');
    expect(events).toMatchObject([{ method: 'GET', route: '/user', status: 200, attempt: 1, outcome: 'ok' }]);
  });

  it('returns gitlab-unauthorized with GitLab message for a bad token', async () => {
    const bad = createGitLabClient({ gitlabUrl: sim.url, token: 'glpat-wrong' })._unsafeUnwrap();
    const r = await bad.currentUser();
    const e = record(r._unsafeUnwrapErr());
    expect(e).toMatchObject({
      code: 'gitlab-unauthorized',
      details: { status: 401, gitlabMessage: '401 Unauthorized' },
    });
  });

  it('returns gitlab-not-found with the message shape {"message": "404 Project Not Found"}', async () => {
    const e = record((await client.project('nope/nope'))._unsafeUnwrapErr());
    expect(e).toMatchObject({
      code: 'gitlab-not-found',
      details: { gitlabMessage: '404 Project Not Found', route: '/projects/:id' },
    });
  });

  it('parses field errors, error strings and error_code bodies', async () => {
    sim.fault({
      method: 'POST',
      route: '/projects/:id/pipeline',
      kind: 'status',
      status: 400,
      body: { message: { base: ['Reference not found'] } },
    });
    const a = record((await client.createPipeline('x/y', { ref: 'nope' }))._unsafeUnwrapErr());
    expect(a).toMatchObject({
      code: 'gitlab-http',
      details: { status: 400, gitlabMessage: 'Reference not found', fieldErrors: { base: ['Reference not found'] } },
    });
    sim.fault({
      method: 'POST',
      route: '/projects/:id/pipeline',
      kind: 'status',
      status: 400,
      body: { error: 'ref is missing' },
    });
    const b = record((await client.createPipeline('x/y', { ref: '' }))._unsafeUnwrapErr());
    expect(b.details).toMatchObject({ gitlabMessage: 'ref is missing' });
    sim.fault({
      method: 'POST',
      route: '/projects/:id/pipeline',
      kind: 'status',
      status: 400,
      body: { message: 'Commit cherry-pick failed', error_code: 'CONFLICT' },
    });
    const c = record((await client.createPipeline('x/y', { ref: 'main' }))._unsafeUnwrapErr());
    expect(c.details).toMatchObject({ errorCode: 'conflict' });
    sim.fault({
      method: 'GET',
      route: '/user',
      kind: 'status',
      status: 401,
      body: { error: 'invalid_token', error_description: 'Token was revoked.' },
    });
    const d = record((await client.currentUser())._unsafeUnwrapErr());
    expect(d).toMatchObject({
      code: 'gitlab-unauthorized',
      details: { gitlabMessage: 'invalid_token: Token was revoked.' },
    });
  });

  it('retries a GET after 429, waiting what Retry-After says', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'status', status: 429, retryAfterSeconds: 7 });
    const me = await client.currentUser();
    expect(me.isOk()).toBe(true);
    expect(sleeps).toEqual([7000]);
    expect(events.map((e) => [e.status, e.outcome])).toEqual([
      [429, 'retry'],
      [200, 'ok'],
    ]);
  });

  it('retries 502 HTML pages and dropped connections on GET with jittered backoff', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'html-error', status: 502 });
    sim.fault({ method: 'GET', route: '/user', kind: 'drop-before' });
    const me = await client.currentUser();
    expect(me.isOk()).toBe(true);
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up with gitlab-rate-limited when Retry-After exceeds the bound, without sleeping', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'status', status: 429, retryAfterSeconds: 3600 });
    const e = record((await client.currentUser())._unsafeUnwrapErr());
    expect(e).toMatchObject({ code: 'gitlab-rate-limited', retryable: true, details: { retryAfterMs: 3_600_000 } });
    expect(sleeps).toEqual([]);
  });

  it('never replays a POST after a 502: outcome-unknown, and the log shows one POST', async () => {
    sim.controls.clearLog();
    sim.fault({ method: 'POST', route: '/projects/:id/pipeline', kind: 'status', status: 502 });
    const e = record((await client.createPipeline('x/y', { ref: 'main' }))._unsafeUnwrapErr());
    expect(e).toMatchObject({ code: 'outcome-unknown', details: { status: 502 } });
    expect(sim.controls.find('POST', '/projects/:id/pipeline')).toHaveLength(1);
  });

  it('retries a POST after 429, because GitLab refused it before acting, and never after 5xx', async () => {
    sim.controls.clearLog();
    sim.fault({ method: 'POST', route: '/projects/:id/pipeline', kind: 'status', status: 429, retryAfterSeconds: 3 });
    expect((await client.createPipeline('x/y', { ref: 'main' })).isOk()).toBe(true);
    expect(sleeps).toEqual([3000]);
    expect(sim.controls.find('POST', '/projects/:id/pipeline').map((p) => [p.status, p.handled])).toEqual([
      [429, false],
      [201, true],
    ]);
  });

  it('reports outcome-unknown when the response to a POST is lost after the server acted', async () => {
    sim.controls.clearLog();
    sim.fault({ method: 'POST', route: '/projects/:id/pipeline', kind: 'drop-after' });
    const e = record((await client.createPipeline('x/y', { ref: 'main' }))._unsafeUnwrapErr());
    expect(e.code).toBe('outcome-unknown');
    const posts = sim.controls.find('POST', '/projects/:id/pipeline');
    expect(posts.map((p) => p.handled)).toEqual([true]);
  });

  it('times out a slow request, retrying GETs within the attempt budget', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'delay', delayMs: 800, times: 4 });
    const e = record((await client.currentUser())._unsafeUnwrapErr());
    expect(e).toMatchObject({ code: 'timeout', details: { timeoutMs: 500 } });
    expect(events).toHaveLength(4);
  });

  it('stops at once when the caller aborts', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'delay', delayMs: 2000 });
    const ac = new AbortController();
    const c = createGitLabClient({
      gitlabUrl: sim.url,
      token: SENTINEL,
      signal: ac.signal,
      timeoutMs: 5000,
    })._unsafeUnwrap();
    const started = Date.now();
    const pending = c.currentUser();
    setTimeout(() => ac.abort(), 50);
    const e = record((await pending)._unsafeUnwrapErr());
    expect(e.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects malformed JSON, oversized bodies and wrong shapes as response-invalid naming the field', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'malformed-json', times: 4 });
    expect(record((await client.currentUser())._unsafeUnwrapErr()).code).toBe('response-invalid');
    expect(sleeps).toHaveLength(3);
    sim.controls.clearFaults();
    sim.fault({ method: 'GET', route: '/user', kind: 'malformed-json' });
    expect((await client.currentUser()).isOk()).toBe(true);
    const small = createGitLabClient({ gitlabUrl: sim.url, token: SENTINEL, maxResponseBytes: 4096 })._unsafeUnwrap();
    sim.fault({ method: 'GET', route: '/user', kind: 'huge-body' });
    expect(record((await small.currentUser())._unsafeUnwrapErr()).message).toMatch(/exceeds 4096 bytes/);
    const shape = record((await client.mergeRequest('x/y', 1))._unsafeUnwrapErr());
    expect(shape).toMatchObject({ code: 'response-invalid', details: { route: '/projects/:id/merge_requests/:iid' } });
    expect(shape.message).toMatch(/id: /);
  });

  it('paginates explicitly and turns an exceeded bound into pagination-limit', async () => {
    const limited = await client.pipelines('x/y', {}, { perPage: 100, maxPages: 2 });
    expect(limited._unsafeUnwrapErr()).toMatchObject({
      code: 'pagination-limit',
      details: { maxPages: 2, perPage: 100 },
    });
    const partial = (
      await client.pipelines('x/y', {}, { perPage: 100, maxPages: 2, onLimit: 'partial' })
    )._unsafeUnwrap();
    expect([partial.items.length, partial.pagesRead, partial.exhausted]).toEqual([200, 2, false]);
    const all = (await client.pipelines('x/y', {}, { perPage: 100, maxPages: 5 }))._unsafeUnwrap();
    expect([all.items.length, all.pagesRead, all.exhausted, all.total]).toEqual([250, 3, true, 250]);
  });

  it('accepts an async token provider and never puts the token in errors or events', async () => {
    const c = createGitLabClient(
      { gitlabUrl: sim.url, token: async () => SENTINEL },
      { onEvent: (e) => events.push(e) },
    )._unsafeUnwrap();
    expect((await c.currentUser()).isOk()).toBe(true);
    const failing = createGitLabClient({
      gitlabUrl: sim.url,
      token: async () => {
        throw new Error(`vault said ${SENTINEL}`);
      },
    })._unsafeUnwrap();
    const e = record((await failing.currentUser())._unsafeUnwrapErr());
    expect(e.code).toBe('invalid-input');
    expect(e.cause).toEqual({ name: 'TokenProviderError', message: 'the token provider failed (Error)' });
  });
});
