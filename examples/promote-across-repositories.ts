/**
 * Promote one fix that spans repositories (runbook D4, issue 24): one merge request per repository
 * (an API change in charging-api and its client in fleet-portal), promoted together into ONE bundle.
 *
 * `promoteHotfix` with `hotfixes` checks every MR and target before anything changes (all findings at
 * once), takes every release lock first in project-path order, then promotes the targets in the given
 * order (a `dependsOn` moves a target after the ones it needs; when one of those stops, it is recorded
 * as not promoted with the reason, and independent targets go on). Each MR gets its own note and,
 * only once ALL of its targets validated, its label (E8 per MR). The bundle (schema 3.x) lists the MRs
 * in `hotfixes`, each target names its MR, and `promotedTargets` names exactly the promoted ones.
 *
 *   GITLAB_TOKEN=glpat-… npx tsx --conditions=@hotfix-release/source examples/promote-across-repositories.ts \
 *     evenergi/charging-api!42 evenergi/fleet-portal!7
 *
 * Exit code: 0 every target promoted, 1 at least one not, 3 bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { EXIT_CODES } from '@hotfix-release/policy';
import {
  createGitLabClient,
  describeError,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfigInput,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';
import { progressLine } from './promote-one-mr.js';

/** One MR of the fix: its own project is always a target; `dependsOn` names targets it must wait for. */
export interface FixPart {
  readonly mr: { readonly project: string; readonly iid: number };
  readonly dependsOn?: readonly string[];
}

/** What `main` needs. */
export interface PromoteAcrossOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  readonly config: RunbookConfigInput;
  /** The MRs, in promotion order. */
  readonly parts: readonly FixPart[];
  readonly evidencePath: string;
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/** Promotes every MR of the fix as one promotion; returns the exit code. */
export async function main(o: PromoteAcrossOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  if (client.isErr()) return fail(log, describeError(client.error), EXIT_CODES.configuration);
  const config = parseRunbookConfig(o.config);
  if (config.isErr()) return fail(log, describeError(config.error), EXIT_CODES.configuration);

  const result = await promoteHotfix(client.value, config.value, {
    hotfixes: o.parts.map((p) => ({ mr: p.mr, ...(p.dependsOn ? { dependsOn: [...p.dependsOn] } : {}) })),
    ...o.wait,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) log(line);
    },
  });
  if (result.isErr()) return fail(log, describeError(result.error), EXIT_CODES.failed);

  const { bundle } = result.value;
  await writeFile(o.evidencePath, `${JSON.stringify(bundle, null, 2)}\n`);
  for (const t of result.value.targets)
    log(`${t.target} (${t.hotfix}): ${t.outcome}${t.reason ? ` (${t.reason})` : ''}`);
  log(`promoted: ${bundle.promotedTargets.join(', ') || '(none)'}`);
  return result.value.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function fail(log: (line: string) => void, line: string, code: number): number {
  log(line);
  return code;
}

if (isEntryPoint(import.meta.url)) {
  const file = readConfigFile();
  process.exitCode = await main({
    ...gitlabFromEnv(file),
    config: file.runbook ?? {},
    parts: process.argv.slice(2).map((m) => ({ mr: parseMr(m) })),
    evidencePath: 'evidence.json',
  });
}
