/**
 * Promote ONE merged hotfix MR to staging (runbook S1–S7) and keep its evidence.
 *
 * What it does: connect, validate the runbook configuration, run `promoteHotfix` (preflight,
 * cherry-pick into release, drift check, guided orchestration pipeline, deployment wait,
 * smoke checks, MR note and label), print one line per step, and write the sealed evidence
 * bundle. A journal next to it makes the run resumable: run again with the same journal after
 * a crash or a timeout and nothing that already happened happens twice.
 *
 * Run it against your GitLab, with `hotfix.config.json` (its `runbook` member) in the
 * working directory:
 *
 *   GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-… \
 *     npx tsx --conditions=@hotfix-release/source examples/promote-one-mr.ts evenergi/charging-api!42
 *
 * Exit code: 0 promoted, 1 not promoted (see the printed outcome), 3 bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { EXIT_CODES } from '@hotfix-release/policy';
import {
  createGitLabClient,
  describeError,
  type FlowEvent,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfigInput,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';

/** What `main` needs; everything a test or another script may want to change is here. */
export interface PromoteOneOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  /** The runbook configuration: orchestration project, release branch, one descriptor per service. */
  readonly config: RunbookConfigInput;
  readonly mr: { readonly project: string; readonly iid: number };
  /** Where the sealed evidence bundle is written. */
  readonly evidencePath: string;
  /** The crash-safe journal; an existing one is resumed. */
  readonly journalPath?: string;
  /** Polling of the deployment wait (defaults: 30 min maximum, 2–30 s between looks). */
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/** Renders the progress events a release engineer wants to see. */
export function progressLine(e: FlowEvent): string | undefined {
  if (e.type === 'step') {
    const mark = e.status === 'failed' ? '✗' : e.status === 'done' ? '✓' : e.status === 'skipped' ? '–' : '·';
    return `${mark} ${e.step}${e.target ? ` ${e.target}` : ''}: ${e.message}`;
  }
  if (e.type === 'pipeline-created' || e.type === 'pipeline-adopted') return `  pipeline ${e.webUrl}`;
  if (e.type === 'deployment-finished') return `  deployment ${e.deploymentId} ${e.status}`;
  if (e.type === 'health-ok') return `  health reports ${e.version}`;
  return undefined;
}

/** Promotes the MR to its own project's staging; returns the exit code. */
export async function main(o: PromoteOneOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  if (client.isErr()) return fail(log, describeError(client.error), EXIT_CODES.configuration);
  const config = parseRunbookConfig(o.config);
  if (config.isErr()) return fail(log, describeError(config.error), EXIT_CODES.configuration);

  const result = await promoteHotfix(client.value, config.value, {
    mr: o.mr,
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
    ...o.wait,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) log(line);
    },
  });
  // An Err means nothing could be decided per target: bad options, preflight refusal, GitLab unreachable.
  if (result.isErr()) return fail(log, describeError(result.error), EXIT_CODES.failed);

  await writeFile(o.evidencePath, `${JSON.stringify(result.value.bundle, null, 2)}\n`);
  for (const t of result.value.targets) log(`${t.target}: ${t.outcome}. ${t.message}`);
  log(`evidence: ${o.evidencePath}`);
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
    mr: parseMr(process.argv[2]),
    evidencePath: 'evidence.json',
    journalPath: 'evidence.journal.json',
  });
}
