import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedMutex } from './_internal/git.js';
import {
  ApiError,
  forbidden,
  notFound,
  Query,
  routeNotFound,
  type SimResponse,
  unauthorized,
} from './_internal/http.js';
import { type RequestContext, Router, type SimServices } from './_internal/router.js';
import { SimClock } from './clock.js';
import { type FaultRule, SimControls } from './controls.js';
import { parseGitPath, serveGit } from './git-http.js';
import { type RealisticOption, type RealisticSwitches, resolveRealistic } from './realistic.js';
import { registerControlRoutes } from './resources/controls.js';
import { registerGraphql } from './resources/graphql.js';
import { registerResources } from './resources/index.js';
import './scenarios/demo.js';
import { runScenario } from './scenarios/index.js';
import { ACCESS, type SimInstance, type SimProject, SimState, type SimToken, type SimUser } from './state.js';

/** Options for starting the simulator. */
export interface GitLabSimOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; always loopback unless told otherwise. */
  readonly host?: string;
  /** Named scenario to seed (`empty` by default, `demo` for the runbook's world). */
  readonly scenario?: string;
  /** Folder for repositories; a temporary one (removed on close) by default. */
  readonly stateDir?: string;
  /** The personal access token of the seeded admin user; random by default. */
  readonly token?: string;
  /** Start with a frozen virtual clock (at the given time, or now). */
  readonly virtualClock?: boolean | Date;
  /**
   * Behave like a GitLab that does not cooperate: `true` turns on every realistic switch, an
   * object only the named ones (see `REALISTIC_SWITCHES` and the README). Off by default.
   */
  readonly realistic?: RealisticOption;
  /**
   * What `/version` and `/metadata` report (GitLab 18.6.0 Community Edition by default), e.g.
   * `{ version: '16.11.2' }` for an instance without pipeline inputs.
   */
  readonly instance?: Readonly<Partial<Pick<SimInstance, 'version' | 'revision' | 'enterprise'>>>;
  /**
   * Serve POST /api/graphql (its blob-batching subset; true by default). `false` refuses it with
   * a 404, for clients' REST fallback; `state.graphql` switches it while running.
   */
  readonly graphql?: boolean;
}

/** A running simulator. */
export interface GitLabSim {
  /** Base URL of the GitLab instance, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `${url}/api/v4`. */
  readonly apiUrl: string;
  /** A personal access token with maintainer rights (owner) on every seeded project. */
  readonly token: string;
  /** Paths of the seeded projects. */
  readonly projects: readonly string[];
  /** The state (for white-box assertions in tests). */
  readonly state: SimState;
  /** Request log and fault table. */
  readonly controls: SimControls;
  /** The simulator clock. */
  readonly clock: SimClock;
  /** The REST router, so tests can add or override routes. */
  readonly router: Router;
  /** Root folder of the simulator's repositories and state. */
  readonly root: string;
  /** The realistic-mode switches it runs with (all off in the cooperative mode). */
  readonly realistic: RealisticSwitches;
  /** Adds a fault rule (shorthand for `controls.addFault`). */
  fault(rule: FaultRule): void;
  /** Stops the server and removes temporary state. */
  close(): Promise<void>;
}

const SIM_TOKEN_PREFIX = 'glpat-';

/** Starts a simulator on loopback and seeds the chosen scenario. */
export async function startGitLabSim(options: GitLabSimOptions = {}): Promise<GitLabSim> {
  const root = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'gitlab-sim-')));
  const state = new SimState();
  state.realistic = resolveRealistic(options.realistic);
  state.instance = { ...state.instance, ...options.instance };
  state.graphql = options.graphql ?? true;
  const clock = new SimClock(
    options.virtualClock instanceof Date ? options.virtualClock : options.virtualClock ? new Date() : undefined,
  );
  const controls = new SimControls();
  const router = new Router();
  const extRouter = new Router();
  const locks = new KeyedMutex();
  const token = options.token ?? `${SIM_TOKEN_PREFIX}${randomBytes(15).toString('base64url')}`;
  const admin = { id: state.nextId('user'), username: 'root', name: 'Administrator', email: 'root@sim.invalid' };
  state.users.push(admin);
  state.tokens.push({ value: token, userId: admin.id, kind: 'personal' });

  const services: SimServices = {
    project(ctx, idParam = 'id') {
      const raw = ctx.params[idParam];
      const project = raw === undefined ? undefined : ctx.state.findProject(raw);
      if (!project || !ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.guest)
        throw notFound('Project');
      return project;
    },
    requireAccess(ctx, project: SimProject, level) {
      if (!ctx.user) throw unauthorized();
      if (ctx.state.accessLevel(project, ctx.user.id) < level) throw forbidden();
    },
    withRepoLock(project, fn) {
      return locks.run(project.repoDir, fn);
    },
    ext: {},
  };

  let baseUrl = '';
  const sim: Omit<GitLabSim, 'url' | 'apiUrl' | 'projects'> & { url: string } = {
    url: '',
    token,
    state,
    controls,
    clock,
    router,
    root,
    realistic: state.realistic,
    fault: (rule) => controls.addFault(rule),
    close: async () => {
      closing = true;
      clock.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Let handlers that are still running (a delayed fault, a git process) finish before the repositories go.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (!options.stateDir) await rm(root, { recursive: true, force: true });
    },
  };
  registerResources(router, extRouter, { state, clock, services, root, getBaseUrl: () => baseUrl });
  registerControlRoutes(extRouter, { state, clock, controls });
  registerGraphql(extRouter);

  const inFlight = new Set<Promise<void>>();
  let closing = false;
  const server: Server = createServer((req, res) => {
    const work = handle(req, res).catch((err: unknown) => {
      // A handler still running when the simulator closes finds its repositories gone: not an error.
      if (closing) return;
      process.stderr.write(`gitlab-sim: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) send(res, { status: 500, body: { message: '500 Internal Server Error' } });
      else res.destroy();
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  const rateWindow = { start: 0, count: 0 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const qIdx = rawUrl.indexOf('?');
    const path = qIdx >= 0 ? rawUrl.slice(0, qIdx) : rawUrl;
    const queryString = qIdx >= 0 ? rawUrl.slice(qIdx + 1) : '';
    const bodyBuf = await readBody(req);

    const gitTarget = parseGitPath(path);
    if (gitTarget && !path.startsWith('/api/')) {
      const entry = controls.log({ at: clock.iso(), method, path, query: queryString, route: 'git', body: undefined });
      const fault = controls.takeFault(method, 'git', path);
      if (fault && (await applyFaultBefore(fault, req, res, entry))) return;
      entry.handled = true;
      // drop-after: git acts (a push moves the ref), then the connection is cut before the answer.
      const dropAnswer = fault?.kind === 'drop-after';
      entry.status = await serveGit(req, res, bodyBuf, { state, root, ...gitTarget, query: queryString, dropAnswer });
      return;
    }

    const isGraphql = path === '/api/graphql';
    const isApi = isGraphql || path === '/api/v4' || path.startsWith('/api/v4/');
    const routePath = isApi && !isGraphql ? path.slice('/api/v4'.length) || '/' : path;
    const matched = (isApi && !isGraphql ? router : extRouter).match(method, routePath);
    const template = matched && 'template' in matched ? matched.template : 'unmatched';
    let body: Record<string, unknown> = {};
    try {
      body = parseBody(req.headers['content-type'], bodyBuf);
    } catch {
      const entry = controls.log({
        at: clock.iso(),
        method,
        path,
        query: queryString,
        route: template,
        body: undefined,
      });
      entry.status = 400;
      send(res, {
        status: 400,
        body: { error: "The provided content-type 'application/json' is not supported or the body is not valid JSON." },
      });
      return;
    }
    const isControl = !isApi && path.startsWith('/-/sim/');
    const entry = controls.log({
      at: clock.iso(),
      method,
      path,
      query: queryString,
      route: isControl ? 'control' : template,
      body: Object.keys(body).length ? body : undefined,
    });

    const fault = isControl ? undefined : controls.takeFault(method, template, path);
    if (fault && (await applyFaultBefore(fault, req, res, entry))) return;

    let response: SimResponse;
    try {
      if (!matched) throw routeNotFound();
      if (!('template' in matched)) throw new ApiError(405, { error: '405 Not Allowed' });
      const query = new Query(new URLSearchParams(queryString));
      const auth = isApi ? authenticate(req) : { user: undefined, token: undefined };
      // A CI/CD job token reaches only GitLab's job-token endpoints; elsewhere it authenticates nobody.
      if (auth.token?.kind === 'job' && !jobTokenAllows(method, matched.template)) throw unauthorized();
      const merged: Record<string, unknown> = { ...Object.fromEntries(query.params), ...body };
      const ctx: RequestContext = {
        method,
        route: matched.template,
        params: matched.params,
        query,
        body: merged,
        headers: req.headers,
        user: auth.user,
        token: auth.token,
        state,
        clock,
        baseUrl,
        url: `${baseUrl}${rawUrl}`,
        services,
      };
      entry.handled = true;
      response = await matched.handler(ctx);
    } catch (err) {
      if (err instanceof ApiError) response = { status: err.status, body: err.body };
      else throw err;
    }
    entry.status = response.status;
    if (fault) {
      await applyFaultAfter(fault, res, response, entry);
      return;
    }
    send(res, response, isApi);
  }

  /**
   * The REST routes the simulator serves that GitLab opens to CI/CD job tokens ("GitLab CI/CD job
   * token" in GitLab's docs): deployments and environments reads. Cherry-pick, revert, pipelines,
   * jobs, merge requests, notes and labels are not among them.
   */
  function jobTokenAllows(method: string, template: string): boolean {
    return (
      method === 'GET' &&
      [
        '/projects/:id/deployments',
        '/projects/:id/deployments/:deployment_id',
        '/projects/:id/environments',
        '/projects/:id/environments/:environment_id',
      ].includes(template)
    );
  }

  function authenticate(req: IncomingMessage): { user: SimUser | undefined; token: SimToken | undefined } {
    const h = req.headers;
    const bearer =
      typeof h.authorization === 'string' && /^Bearer\s+/i.test(h.authorization)
        ? h.authorization.replace(/^Bearer\s+/i, '')
        : undefined;
    const provided = (h['private-token'] as string | undefined) ?? (h['job-token'] as string | undefined) ?? bearer;
    if (provided === undefined) return { user: undefined, token: undefined };
    const found = state.userForToken(provided);
    if (!found) throw unauthorized();
    if (h['job-token'] !== undefined && found.token.kind !== 'job') throw unauthorized();
    return found;
  }

  function rateHeaders(): Record<string, string> {
    const now = clock.now();
    const windowMs = 60_000;
    if (now - rateWindow.start >= windowMs) {
      rateWindow.start = now - (now % windowMs);
      rateWindow.count = 0;
    }
    rateWindow.count++;
    const limit = 2000;
    return {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(limit),
      'ratelimit-observed': String(rateWindow.count),
      'ratelimit-remaining': String(Math.max(0, limit - rateWindow.count)),
      'ratelimit-reset': String(Math.ceil((rateWindow.start + windowMs) / 1000)),
    };
  }

  function send(res: ServerResponse, r: SimResponse, api = true): void {
    const headers: Record<string, string> = {
      'x-request-id': randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase(),
      ...(api ? rateHeaders() : {}),
      ...r.headers,
    };
    if (r.body === undefined || r.status === 204) {
      res.writeHead(r.status, headers);
      res.end();
      return;
    }
    if (r.raw) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      res.writeHead(r.status, headers);
      res.end(r.body as Buffer | string);
      return;
    }
    headers['content-type'] = 'application/json';
    res.writeHead(r.status, headers);
    res.end(JSON.stringify(r.body));
  }

  /** Applies the part of a fault that happens instead of (or before) the handler; true when the response is done. */
  async function applyFaultBefore(
    fault: FaultRule,
    _req: IncomingMessage,
    res: ServerResponse,
    entry: { fault?: FaultRule['kind']; status: number },
  ): Promise<boolean> {
    entry.fault = fault.kind;
    switch (fault.kind) {
      case 'drop-before':
        res.socket?.destroy();
        return true;
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
        return false;
      case 'status': {
        const status = fault.status ?? 500;
        entry.status = status;
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) {
          headers['retry-after'] = String(fault.retryAfterSeconds);
          headers['ratelimit-resettime'] = new Date(clock.now() + fault.retryAfterSeconds * 1000).toUTCString();
        }
        if (status === 429 && fault.body === undefined) {
          send(res, { status, body: 'Retry later\n', raw: true, headers });
        } else {
          send(res, { status, body: fault.body ?? { message: `${status} ${statusText(status)}` }, headers });
        }
        return true;
      }
      case 'html-error':
        entry.status = fault.status ?? 502;
        send(
          res,
          {
            status: fault.status ?? 502,
            raw: true,
            body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n',
            headers: { 'content-type': 'text/html' },
          },
          false,
        );
        return true;
      default:
        return false;
    }
  }

  async function applyFaultAfter(
    fault: FaultRule,
    res: ServerResponse,
    response: SimResponse,
    entry: { status: number },
  ): Promise<void> {
    switch (fault.kind) {
      case 'drop-after':
        res.socket?.destroy();
        return;
      case 'malformed-json':
        res.writeHead(response.status, { 'content-type': 'application/json' });
        res.end('{"id": 1, "status": "runn');
        return;
      case 'huge-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 1, padding: 'x'.repeat(32 * 1024 * 1024) }));
        entry.status = 200;
        return;
      case 'delay-after':
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
        if (!res.destroyed) send(res, response);
        return;
      case 'deep-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
        entry.status = 200;
        return;
      default:
        send(res, response);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${host}:${addr.port}`;
  sim.url = baseUrl;
  try {
    await runScenario(options.scenario ?? 'empty', {
      state,
      clock,
      root,
      adminId: admin.id,
      services,
      baseUrl,
      realistic: state.realistic,
    });
  } catch (err) {
    await sim.close();
    throw err;
  }
  return {
    ...sim,
    url: baseUrl,
    apiUrl: `${baseUrl}/api/v4`,
    projects: state.projects.map((p) => p.path),
  };
}

function statusText(status: number): string {
  return (
    (
      {
        400: 'Bad request',
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
        504: 'Gateway Timeout',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(contentType: string | undefined, buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) return {};
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('application/json')) {
    const parsed: unknown = JSON.parse(buf.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  }
  if (ct.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(buf.toString('utf8')));
  }
  return {};
}
