/**
 * Configuration, in order: `hotfix.config.json` (found upward from the working directory, or
 * `--config`), then the environment (GITLAB_URL, GITLAB_TOKEN; in GitLab CI CI_SERVER_URL,
 * CI_JOB_TOKEN, CI_PROJECT_PATH, CI_MERGE_REQUEST_IID), then flags. A bad file names itself,
 * the field and what is expected. Tokens come only from the environment, never from files or flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { toJsonPointer } from '@hotfix-release/evidence';
import { z } from 'zod';
import { type Parsed, str } from './args.js';
import { EXIT_CODES } from './exit-codes.js';
import { ProblemError, problem } from './problem.js';
import type { CliDeps } from './types.js';

/** The file every lookup searches for. */
export const CONFIG_FILE_NAME = 'hotfix.config.json';

const duration = z.number().int().positive();

/** The shape of `hotfix.config.json`; `runbook` is the SDK's runbook configuration. */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  gitlab: z
    .strictObject({
      url: z.string().url('expected an http(s) URL like https://gitlab.example.com').optional(),
      timeoutMs: duration.optional(),
    })
    .optional(),
  wait: z
    .strictObject({
      maxWaitMs: duration.max(86_400_000).optional(),
      minDelayMs: duration.optional(),
      maxDelayMs: duration.optional(),
      stableForMs: z.number().int().min(0).optional(),
    })
    .optional(),
  runbook: z.unknown().optional(),
});

/** Everything a GitLab-facing command needs, before the SDK validates it. */
export interface Settings {
  /** The config file read, when one was. */
  readonly file: string | undefined;
  readonly gitlabUrl: string | undefined;
  readonly token: string | undefined;
  readonly tokenKind: 'private' | 'job';
  readonly timeoutMs: number | undefined;
  readonly runbook: unknown;
  readonly wait: { maxWaitMs: number; minDelayMs: number; maxDelayMs: number; stableForMs: number };
  /** The MR of the pipeline this job runs for, in GitLab CI. */
  readonly ciMr: { project: string; iid: number } | undefined;
}

function configProblem(detail: string, extra: Record<string, unknown>): ProblemError {
  return new ProblemError(
    problem({ code: 'invalid-config', title: 'Bad configuration', detail, exitCode: EXIT_CODES.configuration, extra }),
  );
}

function findUpward(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and validates the config file (or none), then applies the environment and flags. */
export function loadSettings(deps: CliDeps, parsed: Parsed): Settings {
  const explicit = str(parsed, 'config');
  const cwd = deps.cwd ?? '.';
  const file = explicit ? resolve(cwd, explicit) : findUpward(cwd);
  let data: z.output<typeof configFileSchema> = {};
  if (file) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
      throw configProblem(`${file}: ${why}`, { file });
    }
    const r = configFileSchema.safeParse(raw);
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ pointer: toJsonPointer(i.path), message: i.message }));
      throw configProblem(`${file}: ${issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ')}`, {
        file,
        details: { pointer: issues[0]?.pointer ?? '', issues },
      });
    }
    data = r.data;
  }
  const env = deps.env;
  const flagUrl = str(parsed, 'gitlab-url');
  const gitlabUrl = flagUrl ?? env.GITLAB_URL ?? env.CI_SERVER_URL ?? data.gitlab?.url;
  const token = env.GITLAB_TOKEN || env.CI_JOB_TOKEN || undefined;
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  return {
    file,
    gitlabUrl,
    token,
    tokenKind: env.GITLAB_TOKEN ? 'private' : env.CI_JOB_TOKEN ? 'job' : 'private',
    timeoutMs: data.gitlab?.timeoutMs,
    runbook: data.runbook ?? {},
    wait: {
      maxWaitMs: data.wait?.maxWaitMs ?? 30 * 60_000,
      minDelayMs: data.wait?.minDelayMs ?? 2_000,
      maxDelayMs: data.wait?.maxDelayMs ?? 30_000,
      stableForMs: data.wait?.stableForMs ?? 0,
    },
    ciMr: env.CI_PROJECT_PATH && Number.isInteger(iid) && iid > 0 ? { project: env.CI_PROJECT_PATH, iid } : undefined,
  };
}
