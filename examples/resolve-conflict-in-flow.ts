/**
 * Resolve a conflicting cherry-pick in code, inside the promotion (runbook D3).
 *
 * When GitLab's cherry-pick of the hotfix conflicts on release, `promoteHotfix` with
 * `resolveConflicts` calls your resolver once per conflicted path, verifies the result (no
 * conflict markers left, nothing changed outside the hotfix's paths), pushes it to release with a
 * compare-and-swap (never a force), records who resolved what in the evidence, and goes on with
 * S3–S7. Returning `null` gives up: the target stays `pending` and nothing is pushed.
 *
 * This resolver is deliberately narrow: it only takes the hotfix's version of files you list as
 * owned by the hotfix, and gives up on anything else, so a surprise conflict still stops for a
 * human.
 *
 *   GITLAB_TOKEN=glpat-… npx tsx --conditions=@hotfix-release/source examples/resolve-conflict-in-flow.ts \
 *     evenergi/charging-api!42 src/tariff.ts
 */
import { writeFile } from 'node:fs/promises';
import { EXIT_CODES } from '@hotfix-release/policy';
import {
  type ConflictResolver,
  createGitLabClient,
  describeError,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfigInput,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';
import { progressLine } from './promote-one-mr.js';

/** Takes the hotfix's side ("theirs") for the listed text files; gives up on everything else. */
export function takeHotfixSide(paths: readonly string[]): ConflictResolver {
  return (c) => {
    if (!paths.includes(c.path) || c.binary || c.theirs?.content === undefined) return null;
    return c.theirs.content;
  };
}

/** What `main` needs. */
export interface ResolveInFlowOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  readonly config: RunbookConfigInput;
  readonly mr: { readonly project: string; readonly iid: number };
  /** Paths whose conflicts the hotfix's version settles. */
  readonly hotfixOwns: readonly string[];
  /** Recorded in the evidence as who resolved. */
  readonly resolvedBy: string;
  /** Where the sealed evidence bundle is written, if anywhere. */
  readonly evidencePath?: string;
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/** Promotes the MR, resolving a conflicting pick on the listed paths; returns the exit code. */
export async function main(o: ResolveInFlowOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  const config = parseRunbookConfig(o.config);
  if (client.isErr() || config.isErr()) {
    log(describeError(client.isErr() ? client.error : config._unsafeUnwrapErr()));
    return EXIT_CODES.configuration;
  }
  const result = await promoteHotfix(client.value, config.value, {
    mr: o.mr,
    resolveConflicts: { gitToken: o.token, resolvedBy: o.resolvedBy, resolver: takeHotfixSide(o.hotfixOwns) },
    ...o.wait,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) log(line);
    },
  });
  if (result.isErr()) {
    log(describeError(result.error));
    return EXIT_CODES.failed;
  }
  if (o.evidencePath) await writeFile(o.evidencePath, `${JSON.stringify(result.value.bundle, null, 2)}\n`);
  for (const t of result.value.targets) {
    for (const c of t.record.conflicts)
      log(`  resolved ${c.paths.join(', ')} by ${c.resolvedBy} (tree ${c.resultTree})`);
    log(`${t.target}: ${t.outcome}. ${t.message}`);
  }
  return result.value.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
}

if (isEntryPoint(import.meta.url)) {
  const file = readConfigFile();
  const [mr, ...paths] = process.argv.slice(2);
  const { gitlabUrl, token } = gitlabFromEnv(file);
  process.exitCode = await main({
    gitlabUrl,
    token,
    config: file.runbook ?? {},
    mr: parseMr(mr),
    hotfixOwns: paths,
    resolvedBy: process.env.USER ?? 'operator',
  });
}
