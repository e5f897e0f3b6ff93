/**
 * Configuration, in order: `hotfix.config.json` (found upward from the working directory, or
 * `--config`), then the environment (GITLAB_URL, GITLAB_TOKEN; in GitLab CI CI_SERVER_URL,
 * CI_JOB_TOKEN, CI_PROJECT_PATH, CI_MERGE_REQUEST_IID), then flags. A bad file names itself,
 * the field and what is expected. Tokens come only from the environment, never from files or flags.
 *
 * The trust boundary (issue 22; the one place this rule lives): a project's `hotfix.config.json`
 * is part of a repository anyone may have written, so it never chooses where the token goes. The
 * GitLab host comes from `--gitlab-url`, GITLAB_URL, CI_SERVER_URL or the user-level
 * `$XDG_CONFIG_HOME/hotfix/config.json` (`~/.config/hotfix/config.json`); a project file may
 * name a host only when it is that same host, otherwise the command stops with exit 3 naming
 * both. The upward search stops at the repository root (a folder holding `.git`) or `$HOME`.
 * A URL carrying `user:password@` is refused wherever it comes from.
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
  /** Back a hotfix out (D6: R1, or R2 with a redeploy) when its deployment or validation fails; default off. */
  rollbackOnFailure: z.boolean().optional(),
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
  /** Whether a failed deployment or validation backs the hotfix out (D6); `--rollback-on-failure` turns it on. */
  readonly rollbackOnFailure: boolean;
  /** The MR of the pipeline this job runs for, in GitLab CI. */
  readonly ciMr: { project: string; iid: number } | undefined;
}

function configProblem(detail: string, extra: Record<string, unknown>): ProblemError {
  return new ProblemError(
    problem({ code: 'invalid-config', title: 'Bad configuration', detail, exitCode: EXIT_CODES.configuration, extra }),
  );
}

/**
 * The user-level configuration: only the GitLab host (and its timeout), which the user chose by
 * writing it in their own home.
 */
export const userConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  gitlab: z
    .strictObject({
      url: z.string().url('expected an http(s) URL like https://gitlab.example.com').optional(),
      timeoutMs: duration.optional(),
    })
    .optional(),
});

/** Searches upward from `start`, stopping after the repository root (a `.git` is there) or `home`. */
function findUpward(start: string, home: string | undefined): string | undefined {
  let dir = resolve(start);
  const stop = home ? resolve(home) : undefined;
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || dir === stop || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

function readConfigFile<S extends z.ZodType>(file: string, schema: S, missingOk: boolean): z.output<S> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (missingOk && code === 'ENOENT') return undefined;
    throw configProblem(`${file}: ${code === 'ENOENT' ? 'file not found' : (e as Error).message}`, { file });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ pointer: toJsonPointer(i.path), message: i.message }));
    throw configProblem(`${file}: ${issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ')}`, {
      file,
      details: { pointer: issues[0]?.pointer ?? '', issues },
    });
  }
  return r.data;
}

/** The user-level config file: `$XDG_CONFIG_HOME/hotfix/config.json`, else `$HOME/.config/hotfix/config.json`. */
export function userConfigPath(env: CliDeps['env']): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return base ? join(base, 'hotfix', 'config.json') : undefined;
}

/** A URL as compared for "the same host": origin and path, without trailing slashes or `/api/v4`. */
function hostKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '')}`;
  } catch {
    return url;
  }
}

/**
 * Refuses a URL with `user[:password]@` (exit 3), naming where it came from but never echoing it:
 * `pointer` is the JSON Pointer of the field in a file, or undefined for a flag or variable.
 */
function refuseUserinfo(url: string | undefined, source: string, pointer?: string): void {
  if (url === undefined) return;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return; // the SDK's validation names a malformed URL
  }
  if (u.username === '' && u.password === '') return;
  throw configProblem(
    `The GitLab URL from ${source} carries a user name or password (${u.protocol}//…@${u.host}); remove it and give the token in GITLAB_TOKEN.`,
    { details: { source, ...(pointer === undefined ? {} : { pointer }) } },
  );
}

/** Reads and validates the config file (or none), then applies the environment and flags. */
export function loadSettings(deps: CliDeps, parsed: Parsed): Settings {
  const explicit = str(parsed, 'config');
  const cwd = deps.cwd ?? '.';
  const env = deps.env;
  const file = explicit ? resolve(cwd, explicit) : findUpward(cwd, env.HOME);
  const data: z.output<typeof configFileSchema> = (file && readConfigFile(file, configFileSchema, false)) || {};
  const userFile = userConfigPath(env);
  const user = userFile === undefined ? undefined : readConfigFile(userFile, userConfigSchema, true);
  const flagUrl = str(parsed, 'gitlab-url');
  refuseUserinfo(flagUrl, '--gitlab-url');
  refuseUserinfo(env.GITLAB_URL, 'GITLAB_URL');
  refuseUserinfo(env.CI_SERVER_URL, 'CI_SERVER_URL');
  refuseUserinfo(user?.gitlab?.url, userFile ?? 'the user configuration', '/gitlab/url');
  refuseUserinfo(data.gitlab?.url, file ?? CONFIG_FILE_NAME, '/gitlab/url');
  const chosen = flagUrl ?? env.GITLAB_URL ?? env.CI_SERVER_URL ?? user?.gitlab?.url;
  const fileUrl = data.gitlab?.url;
  if (fileUrl !== undefined && (chosen === undefined || hostKey(chosen) !== hostKey(fileUrl))) {
    const yours =
      chosen === undefined
        ? 'you have not chosen one (set GITLAB_URL or --gitlab-url, or gitlab.url in your user configuration)'
        : `you chose ${hostKey(chosen)}`;
    throw configProblem(
      `${file} names the GitLab host ${hostKey(fileUrl)}, but ${yours}. A project's configuration never decides where the token is sent; make both the same host.`,
      {
        file,
        details: {
          pointer: '/gitlab/url',
          fileHost: hostKey(fileUrl),
          chosenHost: chosen === undefined ? null : hostKey(chosen),
        },
      },
    );
  }
  const gitlabUrl = chosen;
  const token = env.GITLAB_TOKEN || env.CI_JOB_TOKEN || undefined;
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  return {
    file,
    gitlabUrl,
    token,
    tokenKind: env.GITLAB_TOKEN ? 'private' : env.CI_JOB_TOKEN ? 'job' : 'private',
    timeoutMs: data.gitlab?.timeoutMs ?? user?.gitlab?.timeoutMs,
    runbook: data.runbook ?? {},
    wait: {
      maxWaitMs: data.wait?.maxWaitMs ?? 30 * 60_000,
      minDelayMs: data.wait?.minDelayMs ?? 2_000,
      maxDelayMs: data.wait?.maxDelayMs ?? 30_000,
      stableForMs: data.wait?.stableForMs ?? 0,
    },
    rollbackOnFailure: data.rollbackOnFailure ?? false,
    ciMr: env.CI_PROJECT_PATH && Number.isInteger(iid) && iid > 0 ? { project: env.CI_PROJECT_PATH, iid } : undefined,
  };
}
