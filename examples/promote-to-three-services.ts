/**
 * Promote one merged hotfix to three services (runbook D4: repeat S4–S7 per repository and
 * record exactly which targets were promoted).
 *
 * `promoteHotfix` with `targets` runs S2–S7 for each target in turn. A target that stops (a
 * conflict, drift, a failed deployment, failed checks) ends with its own outcome and the others
 * go on; the MR is labelled only once every target passed validation (E8), and the bundle's
 * `promotedTargets` names exactly the promoted ones. Every target needs a service descriptor in
 * the runbook configuration, and must already contain the hotfix commit (preflight answers
 * `hotfix-not-in-target` otherwise).
 *
 *   GITLAB_TOKEN=glpat-… npx tsx --conditions=@hotfix-release/source examples/promote-to-three-services.ts \
 *     evenergi/charging-api!42 evenergi/charging-api evenergi/charging-api-eu evenergi/charging-api-us
 *
 * Exit code: 0 every target promoted, 1 at least one not, 3 bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { EXIT_CODES } from '@hotfix-release/policy';
import {
  createGitLabClient,
  describeError,
  type PromotionResult,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfigInput,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';
import { progressLine } from './promote-one-mr.js';

/** What `main` needs. */
export interface PromoteManyOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  readonly config: RunbookConfigInput;
  readonly mr: { readonly project: string; readonly iid: number };
  /** The target projects, in the order they are promoted. */
  readonly targets: readonly string[];
  readonly evidencePath: string;
  readonly journalPath?: string;
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/** One line per target, for the handover note: what happened where. */
export function summary(result: PromotionResult): string[] {
  const width = Math.max(...result.targets.map((t) => t.target.length));
  return [
    ...result.targets.map(
      (t) => `${t.target.padEnd(width)}  ${t.outcome.padEnd(11)}  ${t.reason ? `(${t.reason}) ` : ''}${t.message}`,
    ),
    `promoted: ${result.bundle.promotedTargets.join(', ') || '(none)'}`,
  ];
}

/** Promotes the MR to every target; returns the exit code. */
export async function main(o: PromoteManyOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  if (client.isErr()) return fail(log, describeError(client.error), EXIT_CODES.configuration);
  const config = parseRunbookConfig(o.config);
  if (config.isErr()) return fail(log, describeError(config.error), EXIT_CODES.configuration);

  const result = await promoteHotfix(client.value, config.value, {
    mr: o.mr,
    targets: [...o.targets],
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
    ...o.wait,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) log(line);
    },
  });
  if (result.isErr()) return fail(log, describeError(result.error), EXIT_CODES.failed);

  await writeFile(o.evidencePath, `${JSON.stringify(result.value.bundle, null, 2)}\n`);
  for (const line of summary(result.value)) log(line);
  return result.value.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function fail(log: (line: string) => void, line: string, code: number): number {
  log(line);
  return code;
}

if (isEntryPoint(import.meta.url)) {
  const file = readConfigFile();
  const [mr, ...targets] = process.argv.slice(2);
  process.exitCode = await main({
    ...gitlabFromEnv(file),
    config: file.runbook ?? {},
    mr: parseMr(mr),
    targets,
    evidencePath: 'evidence.json',
    journalPath: 'evidence.journal.json',
  });
}
