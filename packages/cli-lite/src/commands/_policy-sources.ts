/**
 * Where `hotfix policy check` takes what the merge request under review must not be able to edit: the
 * policy file and waivers (a path outside the MR's checkout, or read live from the project's default
 * branch), and the expectations GitLab CI states about the pipeline (instance, project, MR).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { CheckOptions } from '@hotfix-release/policy';
import { type Parsed, parseMr, str, strs } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem } from '../problem.js';
import { errorDetail } from '../sdk-problem.js';
import type { CommandContext } from '../types.js';

/** The CI facts the gate binds a bundle to, from the environment (the CLI reads it only through deps.env). */
export interface GateEnvironment {
  /** `CI=true`: signed or refused. */
  readonly ci: boolean;
  readonly serverUrl: string | undefined;
  readonly projectPath: string | undefined;
  readonly mrIid: number | undefined;
  /** The checkout of the commit under review: a policy file inside it is refused in CI. */
  readonly projectDir: string | undefined;
}

/** Reads the gate's CI facts from the CLI's environment. */
export function gateEnvironment(env: Readonly<Record<string, string | undefined>>): GateEnvironment {
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  return {
    ci: env.CI === 'true',
    serverUrl: env.CI_SERVER_URL || undefined,
    projectPath: env.CI_PROJECT_PATH || undefined,
    mrIid: Number.isInteger(iid) && iid > 0 ? iid : undefined,
    projectDir: env.CI_PROJECT_DIR || undefined,
  };
}

function configProblem(code: string, detail: string): ProblemError {
  return new ProblemError(
    problem({ code, title: 'Bad policy configuration', detail, exitCode: EXIT_CODES.configuration }),
  );
}

/**
 * Caller expectations: flags first, then (in CI) CI_SERVER_URL, and CI_PROJECT_PATH and CI_MERGE_REQUEST_IID
 * as the pipeline's MR (`pipelineMr`, which the policy file's `expected.mrs` must name when it names any, D4).
 */
export function callerExpectations(p: Parsed, g: GateEnvironment): Pick<CheckOptions, 'expected' | 'expectedSources'> {
  const expected: {
    gitlabUrl?: string;
    mr?: { project: string; iid: number };
    mrs?: { project: string; iid: number }[];
    pipelineMr?: { project: string; iid: number };
  } = {};
  const sources: Record<string, string> = {};
  const url = str(p, 'gitlab-url');
  if (url) {
    expected.gitlabUrl = url;
    sources.gitlabUrl = '--gitlab-url';
  } else if (g.ci && g.serverUrl) {
    expected.gitlabUrl = g.serverUrl;
    sources.gitlabUrl = 'CI_SERVER_URL';
  }
  // D4 across repositories: `--mr` once per MR the bundle must promote, exactly.
  const mrs = strs(p, 'mr');
  if (mrs.length > 1) {
    expected.mrs = mrs.map(parseMr);
    sources.mr = '--mr';
  } else if (mrs[0]) {
    expected.mr = parseMr(mrs[0]);
    sources.mr = '--mr';
  } else if (g.ci && g.projectPath && g.mrIid !== undefined) {
    // The pipeline's own MR: the expectation unless the policy file's `expected.mrs` names MRs (then it must be
    // one of them); a flag is the caller naming MRs, which must agree with the file's.
    expected.pipelineMr = { project: g.projectPath, iid: g.mrIid };
    sources.mr = 'CI_PROJECT_PATH and CI_MERGE_REQUEST_IID';
  }
  return { expected, expectedSources: sources };
}

/** Refuses, in CI, a file inside the checkout of the commit under review: the MR could have edited it. */
export function outsideCheckout(path: string, what: string, g: GateEnvironment): void {
  if (!g.ci || !g.projectDir) return;
  const rel = relative(resolve(g.projectDir), path);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw configProblem(
      'policy-source-untrusted',
      `${what} ${path} is inside the checkout of the merge request under review (CI_PROJECT_DIR), which its author can edit: read it from the default branch with --policy-ref/--waivers-ref, or use the file shipped with the template`,
    );
}

/**
 * Reads a file live from a ref of a project, refusing any ref other than the project's default branch
 * (protected by GitLab's defaults; the MR under review cannot change it before it merges).
 */
export async function readFromDefaultBranch(
  ctx: CommandContext,
  p: Parsed,
  project: string,
  ref: string,
  path: string,
): Promise<string> {
  const { connect } = await import('../gitlab.js');
  const gl = await connect(ctx.deps, p);
  const proj = await gl.client.project(project);
  if (proj.isErr()) throw configProblem('policy-source-unreadable', errorDetail(proj.error));
  const def = proj.value.default_branch ?? undefined;
  if (!def || ref !== def)
    throw configProblem(
      'policy-source-untrusted',
      `${project}@${ref} is not the project's default branch (${def ?? 'none reported'}): the policy and waivers are read only from it`,
    );
  const text = await gl.client.rawFile(project, path, ref);
  if (text.isErr())
    throw configProblem('policy-source-unreadable', `${project}@${ref}:${path}: ${errorDetail(text.error)}`);
  return text.value;
}

/** The MR author as GitLab reports it now (for `--live`), or undefined when GitLab omits it. */
export async function liveMrAuthor(
  ctx: CommandContext,
  p: Parsed,
  mr: { project: string; iid: number },
): Promise<string | undefined> {
  const { connect, requireTokenCan } = await import('../gitlab.js');
  const gl = await connect(ctx.deps, p);
  await requireTokenCan(gl, 'inspection', 'hotfix policy check --live');
  const r = await gl.client.mergeRequest(mr.project, mr.iid);
  if (r.isErr()) throw configProblem('policy-source-unreadable', errorDetail(r.error));
  return r.value.author?.username;
}
