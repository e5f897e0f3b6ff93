/**
 * How `hotfix policy check` and `hotfix evidence report` read what they judge and what they judge it
 * by: the inputs, the gate's own policy file (a path outside the checkout, or a protected ref read
 * live), waivers, trusted keys, the MR and instance from the flags or GitLab CI, and `--live` facts.
 * One place, so the page people read is checked exactly as the gate checks.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CheckInput, type CheckOptions, parsePolicyFile } from '@hotfix-release/policy';
import { flag, type OptionTable, type Parsed, str, strs } from '../args.js';
import { ProblemError, problem, usageProblem } from '../problem.js';
import type { CommandContext } from '../types.js';
import { readMrsFile } from './_mr.js';
import {
  callerExpectations,
  gateEnvironment,
  liveMrAuthor,
  outsideCheckout,
  readFromDefaultBranch,
} from './_policy-sources.js';

/** The flags both commands take for the check. */
export const gateFlags: OptionTable = {
  policy: { type: 'string' },
  'policy-ref': { type: 'string' },
  'policy-project': { type: 'string' },
  waivers: { type: 'string' },
  'waivers-ref': { type: 'string' },
  mr: { type: 'string', multiple: true },
  'mrs-file': { type: 'string' },
  key: { type: 'string', multiple: true },
  live: { type: 'boolean' },
  now: { type: 'string' },
  'job-token': { type: 'boolean' },
};

/** Reads a file the check needs; a missing evidence file is exit 2, anything else exit 3. */
export async function readCheckFile(path: string, what: string, exitCode: 2 | 3): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ProblemError(
      problem({
        code: exitCode === 2 ? 'evidence-unreadable' : 'invalid-config',
        detail: `${what} ${path} could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        exitCode,
        extra: { file: path },
      }),
    );
  }
}

/** The inputs named on the command line and the options the gate checks them with. */
export async function gateCheck(
  ctx: CommandContext,
  p: Parsed,
  example: string,
): Promise<{ inputs: CheckInput[]; options: CheckOptions }> {
  const cwd = ctx.deps.cwd ?? '.';
  const gate = gateEnvironment(ctx.deps.env);
  if (p.positionals.length === 0)
    throw new ProblemError(usageProblem(`name at least one evidence bundle (e.g. ${example})`));
  const policyPath = str(p, 'policy');
  if (!policyPath)
    throw new ProblemError(
      usageProblem('--policy <file> is required: the gate judges with its own policy file, never the bundle’s word'),
    );
  const caller = callerExpectations(p, gate);
  // D4 across repositories: the MRs the bundle must promote, from the same list the promotion was given.
  const mrsFile = str(p, 'mrs-file');
  if (mrsFile !== undefined) {
    if (strs(p, 'mr').length > 0) throw new ProblemError(usageProblem('give --mr or --mrs-file, not both (D4)'));
    const { mr: _one, pipelineMr: _pipeline, ...rest } = caller.expected ?? {};
    const mrs = (await readMrsFile(resolve(cwd, mrsFile))).map((h) => h.mr);
    caller.expected = { ...rest, mrs };
    caller.expectedSources = { ...caller.expectedSources, mr: '--mrs-file' };
  }
  const inputs: CheckInput[] = [];
  for (const name of p.positionals)
    inputs.push({ name, text: await readCheckFile(resolve(cwd, name), 'evidence bundle', 2) });
  const project =
    str(p, 'policy-project') ??
    caller.expected?.mr?.project ??
    caller.expected?.mrs?.[0]?.project ??
    caller.expected?.pipelineMr?.project ??
    gate.projectPath;
  const fromRef = async (ref: string, path: string) => {
    if (!project) throw new ProblemError(usageProblem('--policy-project <group/project> is needed to read from a ref'));
    return readFromDefaultBranch(ctx, p, project, ref, path);
  };
  const policyRef = str(p, 'policy-ref');
  let policy: string;
  if (policyRef) policy = await fromRef(policyRef, policyPath);
  else {
    outsideCheckout(resolve(cwd, policyPath), 'the policy file', gate);
    policy = await readCheckFile(resolve(cwd, policyPath), 'policy file', 3);
  }
  const waiversFile = str(p, 'waivers');
  const waiversRef = str(p, 'waivers-ref');
  let waivers: string | undefined;
  if (waiversFile && waiversRef) waivers = await fromRef(waiversRef, waiversFile);
  else if (waiversFile) waivers = await readCheckFile(resolve(cwd, waiversFile), 'waiver file', 3);
  const now = str(p, 'now');
  const options: CheckOptions = {
    ...caller,
    policy,
    policyName: policyRef ? `${project}@${policyRef}:${policyPath}` : policyPath,
    requireSignature: gate.ci,
    ...(now ? { now } : {}),
    ...(waivers === undefined ? {} : { waivers, waiverSource: waiversRef ? 'protected-ref' : 'file' }),
    trustedKeys: await Promise.all(
      strs(p, 'key').map(async (k) => ({ publicKey: await readCheckFile(resolve(cwd, k), 'public key', 3) })),
    ),
  };
  if (flag(p, 'live')) {
    const { createLiveFacts } = await import('../live-facts.js');
    options.live = await createLiveFacts(ctx.deps, p);
    // Every MR's author, read live: none of them may approve a waiver of this promotion.
    const authors: string[] = [];
    for (const mr of gateMrs(caller.expected, policy)) {
      const author = await liveMrAuthor(ctx, p, mr);
      if (author) authors.push(author);
    }
    if (authors.length === 1) options.mrAuthor = authors[0];
    else if (authors.length > 1) options.mrAuthors = authors;
  }
  return { inputs, options };
}

/**
 * Every MR the gate may judge the bundle by (D4), for reading their authors live: the caller's (`--mr`,
 * `--mrs-file`), the policy file's `expected.mrs` and the pipeline's own, each once. When these disagree the
 * check itself refuses (`conflicting-expectations`); an unreadable policy file adds none (the check reports it).
 */
function gateMrs(
  expected: CheckOptions['expected'],
  policyText: string,
): { readonly project: string; readonly iid: number }[] {
  const file = parsePolicyFile(policyText);
  const refs = [
    ...(expected?.mrs ?? []),
    ...(expected?.mr ? [expected.mr] : []),
    ...(expected?.pipelineMr ? [expected.pipelineMr] : []),
    ...(file.isOk() ? (file.value.expected?.mrs ?? []) : []).map((ref) => {
      const bang = ref.lastIndexOf('!');
      return { project: ref.slice(0, bang), iid: Number(ref.slice(bang + 1)) };
    }),
  ];
  const seen = new Set<string>();
  return refs.filter((mr) => {
    const key = `${mr.project}!${mr.iid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
