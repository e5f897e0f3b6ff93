/**
 * A smoke check written as code (runbook S7, evidence E6), for what a descriptor's HTTP check
 * cannot express. Here: the service answers within a latency budget AND reports the commit that
 * was just deployed. `promoteHotfix` runs custom checks after the descriptor's HTTP checks, per
 * target (`customChecks: { [project]: [...] }`), records each result with its duration and a
 * digest of its output, and when one fails reverts the hotfix and redeploys (D6, R2) unless
 * `rollbackOnFailure: false`.
 *
 * A check gets `{ expectedSha, signal }` and returns `{ ok, output }`. It should honour `signal`
 * (aborted on timeout or Ctrl-C); a check that throws is recorded as `error`, one that runs past
 * `timeoutMs` (default 60 s) as `timed_out`. Only the first line of `output` (200 characters)
 * goes into the MR note; the evidence keeps a sha256 digest of all of it, never the text.
 *
 *   GITLAB_TOKEN=glpat-… npx tsx --conditions=@hotfix-release/source examples/custom-smoke-check.ts \
 *     evenergi/charging-api!42 https://charging-api.staging.example.com/health
 */
import { EXIT_CODES } from '@hotfix-release/policy';
import {
  type CustomSmokeCheck,
  createGitLabClient,
  describeError,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfigInput,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';
import { progressLine } from './promote-one-mr.js';

/**
 * A check that GETs `url`, expects HTTP 200 within `budgetMs`, and a JSON body whose `version`
 * is the expected commit.
 */
export function respondsFastWithSha(url: string, budgetMs = 2_000): CustomSmokeCheck {
  return {
    name: `answers within ${budgetMs} ms with the hotfix commit`,
    timeoutMs: budgetMs * 5,
    async run({ expectedSha, signal }) {
      const started = performance.now();
      const res = await fetch(url, { signal });
      const ms = Math.round(performance.now() - started);
      const body = (await res.json().catch(() => ({}))) as { version?: unknown };
      if (res.status !== 200) return { ok: false, output: `HTTP ${res.status} from ${url} after ${ms} ms` };
      if (ms > budgetMs) return { ok: false, output: `answered after ${ms} ms, budget ${budgetMs} ms` };
      if (body.version !== expectedSha)
        return { ok: false, output: `reports ${String(body.version)}, expected ${expectedSha}` };
      return { ok: true, output: `HTTP 200 in ${ms} ms, version ${expectedSha.slice(0, 12)}` };
    },
  };
}

/** What `main` needs. */
export interface CustomCheckOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  readonly config: RunbookConfigInput;
  readonly mr: { readonly project: string; readonly iid: number };
  /** The checks to run for the MR's project, after its descriptor's HTTP checks. */
  readonly checks: readonly CustomSmokeCheck[];
  /** Revert and redeploy when a check fails (the default, D6); false: stop and report. */
  readonly rollbackOnFailure?: boolean;
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/** Promotes the MR with the custom checks; returns the exit code (0 only when validated). */
export async function main(o: CustomCheckOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  const config = parseRunbookConfig(o.config);
  if (client.isErr() || config.isErr()) {
    log(describeError(client.isErr() ? client.error : config._unsafeUnwrapErr()));
    return EXIT_CODES.configuration;
  }
  const result = await promoteHotfix(client.value, config.value, {
    mr: o.mr,
    customChecks: { [o.mr.project]: [...o.checks] },
    rollbackOnFailure: o.rollbackOnFailure ?? true,
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
  for (const t of result.value.targets) {
    for (const c of t.record.smokeChecks) log(`  ${c.result.padEnd(9)} ${c.kind.padEnd(6)} ${c.name}`);
    log(`${t.target}: ${t.outcome}. ${t.message}`);
  }
  return result.value.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
}

if (isEntryPoint(import.meta.url)) {
  const file = readConfigFile();
  const [mr, url] = process.argv.slice(2);
  if (!url) throw new Error('usage: custom-smoke-check.ts <group/project!iid> <health URL>');
  process.exitCode = await main({
    ...gitlabFromEnv(file),
    config: file.runbook ?? {},
    mr: parseMr(mr),
    checks: [respondsFastWithSha(url)],
  });
}
