/** Test support for CI tests: a simulator on a virtual clock with an orchestrator and a service project. */
import { git } from '../_internal/git.js';
import { commitFiles, createProject } from '../_internal/repo.js';
import { demoCiFiles } from '../scenarios/demo-ci.js';
import { type GitLabSim, startGitLabSim } from '../server.js';
import type { SimProject } from '../state.js';
import { type CiEngine, getCiEngine } from './engine.js';

/** An HTTP answer, parsed. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  body: any;
  headers: Headers;
}

/** A CI test world. */
export interface CiWorld {
  sim: GitLabSim;
  engine: CiEngine;
  orchestrator: SimProject;
  service: SimProject;
  /** The head of `release` and of `main` in the service project when the world was made. */
  releaseSha: string;
  mainSha: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<Answer>;
  ext(method: string, path: string, body?: unknown): Promise<Answer>;
  /** Advances virtual time (seconds) and waits for every CI step it caused. */
  advance(seconds: number): Promise<void>;
  /** Creates the orchestration pipeline with inputs. */
  orchestrate(inputs: Record<string, unknown>): Promise<Answer>;
}

async function call(url: string, method: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers['private-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // raw text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Starts a simulator with `evenergi/develop` (orchestrator) and `acme/service` (main + release, staging CI). */
export async function makeCiWorld(
  opts: { orchestratorCi?: string; serviceCi?: string; realClock?: boolean } = {},
): Promise<CiWorld> {
  const sim = await startGitLabSim(opts.realClock ? {} : { virtualClock: new Date('2026-03-02T10:00:00.000Z') });
  const engine = getCiEngine(sim.state);
  const files = demoCiFiles();
  const orchestrator = await createProject(sim.state, sim.root, { path: 'evenergi/develop', creatorId: 1 });
  const service = await createProject(sim.state, sim.root, { path: 'acme/service', creatorId: 1 });
  await commitFiles(orchestrator.repoDir, {
    branch: 'main',
    changes: [{ path: '.gitlab-ci.yml', content: opts.orchestratorCi ?? files.orchestrator }],
    message: 'orchestration CI\n',
  });
  const base = await commitFiles(service.repoDir, {
    branch: 'main',
    changes: [
      { path: '.gitlab-ci.yml', content: opts.serviceCi ?? files.service },
      { path: 'app.txt', content: 'v1\n' },
    ],
    message: 'service v1\n',
  });
  await git(['update-ref', 'refs/heads/release', base], { cwd: service.repoDir });
  const mainSha = await commitFiles(service.repoDir, {
    branch: 'main',
    changes: [{ path: 'feature.txt', content: 'unreleased feature\n' }],
    message: 'unreleased feature\n',
  });
  const world: CiWorld = {
    sim,
    engine,
    orchestrator,
    service,
    releaseSha: base,
    mainSha,
    api: (method, path, body, token = sim.token) => call(`${sim.apiUrl}${path}`, method, token, body),
    ext: (method, path, body) => call(`${sim.url}${path}`, method, undefined, body),
    advance: (seconds) => engine.advance(seconds * 1000),
    orchestrate: (inputs) => world.api('POST', '/projects/evenergi%2Fdevelop/pipeline', { ref: 'main', inputs }),
  };
  return world;
}

/** The deploy inputs of the runbook (S4). */
export const DEPLOY_INPUTS = {
  action: 'deploy-release-branch-to-staging',
  project: 'acme/service',
  confirm: true,
} as const;
