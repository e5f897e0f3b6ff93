/**
 * Configuration, in order: `hotfix.config.json` (found upward from the working directory, or
 * `--config`), then the environment (GITLAB_URL, glab's GITLAB_HOST / GITLAB_URI / GL_HOST,
 * GITLAB_TOKEN; in GitLab CI CI_SERVER_URL, CI_PROJECT_PATH, CI_MERGE_REQUEST_IID), then flags. A
 * bad file names itself, the field and what is expected. Tokens come only from the environment,
 * never from files or flags; CI_JOB_TOKEN only when asked (`--job-token`, or `gitlab.tokenKind:
 * "job"` in the user-level configuration), never as a silent fallback.
 *
 * The GitLab host, first found wins: `--gitlab-url`, GITLAB_URL, GITLAB_HOST, GITLAB_URI, GL_HOST
 * (glab's variables, read as glab reads them: a host with or without a scheme, https when none),
 * CI_SERVER_URL, then the user-level `gitlab.url`.
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
import { flag, type Parsed, str, strs } from './args.js';
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
  /**
   * The release lock (S2/R3): how long a promotion waits for another one's lock (`maxWaitMs`, default
   * 30 min; `--no-wait` refuses at once), how often it looks again (`pollMs`), and the lease a holder
   * renews while it runs (`leaseMs`, default 15 min; a lock whose lease ran out needs `--break-lock`).
   */
  lock: z
    .strictObject({
      maxWaitMs: z.number().int().min(0).max(86_400_000).optional(),
      pollMs: duration.max(600_000).optional(),
      leaseMs: z.number().int().min(10_000).max(86_400_000).optional(),
    })
    .optional(),
  /** Refused: check headers name secrets and belong in the user-level configuration, never in a repository. */
  checks: z
    .unknown()
    .refine(
      (v) => v === undefined,
      'check headers belong in your user configuration ($XDG_CONFIG_HOME/hotfix/config.json) or --check-header, never in a repository',
    )
    .optional(),
  runbook: z.unknown().optional(),
});

/** Everything a GitLab-facing command needs, before the SDK validates it. */
export interface Settings {
  /** The config file read, when one was. */
  readonly file: string | undefined;
  readonly gitlabUrl: string | undefined;
  readonly token: string | undefined;
  readonly tokenKind: 'private' | 'job' | 'oauth';
  /** Why there is no token, when there is none (names variables, never values). */
  readonly tokenMissing: string | undefined;
  /**
   * Headers for each target's health and smoke checks (`*`: every target; `<target>:<check name>`:
   * that smoke check only), with their values read from the environment; the values are secrets
   * (sentinels of the journal and bundle, redacted in output).
   */
  readonly checkHeaders: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly timeoutMs: number | undefined;
  readonly runbook: unknown;
  readonly wait: { maxWaitMs: number; minDelayMs: number; maxDelayMs: number; stableForMs: number };
  /** Whether a failed deployment or validation backs the hotfix out (D6); `--rollback-on-failure` turns it on. */
  readonly rollbackOnFailure: boolean;
  /** The release lock's wait, poll and lease from the config file (the SDK's defaults where absent). */
  readonly lock: {
    readonly maxWaitMs?: number | undefined;
    readonly pollMs?: number | undefined;
    readonly leaseMs?: number | undefined;
  };
  /** The MR of the pipeline this job runs for, in GitLab CI. */
  readonly ciMr: { project: string; iid: number } | undefined;
}

function configProblem(detail: string, extra: Record<string, unknown>): ProblemError {
  return new ProblemError(
    problem({ code: 'invalid-config', title: 'Bad configuration', detail, exitCode: EXIT_CODES.configuration, extra }),
  );
}

/**
 * Environment variables that hold a GitLab credential: never the source of a check header (a
 * staging endpoint must not receive the GitLab token).
 */
const GITLAB_CREDENTIAL_VARIABLES: ReadonlySet<string> = new Set([
  'GITLAB_TOKEN',
  'GITLAB_ACCESS_TOKEN',
  'GITLAB_PRIVATE_TOKEN',
  'CI_JOB_TOKEN',
  'HOTFIX_TOKEN',
  'OAUTH_TOKEN',
  'GL_TOKEN',
  'GLAB_TOKEN',
  'CI_REGISTRY_PASSWORD',
  'CI_DEPLOY_PASSWORD',
]);

/** Whether a variable name is (or looks like) a GitLab credential. */
export function isGitLabCredentialVariable(name: string): boolean {
  return GITLAB_CREDENTIAL_VARIABLES.has(name) || /^(CI|GITLAB|GL|GLAB)_\w*(TOKEN|PASSWORD)$/.test(name);
}

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name');
const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name (the value is never written here)')
  .refine(
    (v) => !isGitLabCredentialVariable(v),
    'must not be a GitLab token variable: a staging check never receives it',
  );

/**
 * The user-level configuration, which the user chose by writing it in their own home: the GitLab
 * host, its timeout and the token kind; and, per target project (`*`: every target) or per smoke
 * check (`<target>:<check name>`), the headers its checks send, each naming the environment variable
 * that holds its value (staging behind auth).
 */
export const userConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  gitlab: z
    .strictObject({
      url: z.string().url('expected an http(s) URL like https://gitlab.example.com').optional(),
      timeoutMs: duration.optional(),
      /** How GITLAB_TOKEN is sent (`private`: access token, `oauth`: Bearer), or `job`: use CI_JOB_TOKEN. */
      tokenKind: z.enum(['private', 'oauth', 'job']).optional(),
    })
    .optional(),
  checks: z
    .record(
      z.string().min(1),
      z.strictObject({
        /** Header name to the NAME of the environment variable holding its value. */
        headers: z.record(headerName, variableName),
      }),
    )
    .optional(),
});

/** A check header as configured: for which target (`*`: all), the header, the variable holding its value. */
interface HeaderSource {
  readonly target: string;
  readonly header: string;
  readonly variable: string;
  readonly from: string;
}

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

/**
 * A host as glab reads GITLAB_HOST, GITLAB_URI and GL_HOST: `gitlab.example.com` or a full URL; a
 * value without a scheme gets `https://`.
 */
export function hostToUrl(host: string): string {
  const h = host.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(h) ? h : `https://${h}`;
}

/** The host chosen by the user (flag, environment, user configuration), first found wins. */
function chosenHost(
  env: CliDeps['env'],
  flagUrl: string | undefined,
  user: z.output<typeof userConfigSchema> | undefined,
  userFile: string | undefined,
): string | undefined {
  const candidates: [string | undefined, string, string?][] = [
    [flagUrl, '--gitlab-url'],
    [env.GITLAB_URL || undefined, 'GITLAB_URL'],
    [env.GITLAB_HOST ? hostToUrl(env.GITLAB_HOST) : undefined, 'GITLAB_HOST'],
    [env.GITLAB_URI ? hostToUrl(env.GITLAB_URI) : undefined, 'GITLAB_URI'],
    [env.GL_HOST ? hostToUrl(env.GL_HOST) : undefined, 'GL_HOST'],
    [env.CI_SERVER_URL || undefined, 'CI_SERVER_URL'],
    [user?.gitlab?.url, userFile ?? 'the user configuration', '/gitlab/url'],
  ];
  for (const [url, source, pointer] of candidates) refuseUserinfo(url, source, pointer);
  return candidates.find(([url]) => url !== undefined)?.[0];
}

/** The token and how it is sent: CI_JOB_TOKEN only when asked, never as a fallback. */
function chooseToken(
  env: CliDeps['env'],
  parsed: Parsed,
  user: z.output<typeof userConfigSchema> | undefined,
): Pick<Settings, 'token' | 'tokenKind' | 'tokenMissing'> {
  const asked = flag(parsed, 'job-token') || user?.gitlab?.tokenKind === 'job';
  if (asked) {
    const why = flag(parsed, 'job-token') ? '--job-token' : 'gitlab.tokenKind "job" in the user configuration';
    return {
      token: env.CI_JOB_TOKEN || undefined,
      tokenKind: 'job',
      tokenMissing: env.CI_JOB_TOKEN
        ? undefined
        : `${why} asks for CI_JOB_TOKEN, which is not set (it exists only inside a GitLab CI job)`,
    };
  }
  const kind = user?.gitlab?.tokenKind === 'oauth' ? 'oauth' : 'private';
  if (env.GITLAB_TOKEN) return { token: env.GITLAB_TOKEN, tokenKind: kind, tokenMissing: undefined };
  return {
    token: undefined,
    tokenKind: kind,
    tokenMissing: env.CI_JOB_TOKEN
      ? 'GITLAB_TOKEN is not set; CI_JOB_TOKEN is, but a job token is used only when asked (--job-token), and it cannot cherry-pick, create pipelines, write notes or add labels on a default GitLab'
      : 'set GITLAB_TOKEN (a personal, project or group access token with the api scope)',
  };
}

/**
 * Parses `--check-header [<target>[:<check name>]:]<header>=<VARIABLE>`: the header goes with every
 * check of the target (`*`: every target), or, with a check name, only with that smoke check.
 */
function headerFlag(value: string): HeaderSource {
  const m = /^(?:(.*):)?([^=:]+)=([^=:]+)$/.exec(value);
  const scope = m?.[1];
  const header = headerName.safeParse(m?.[2]);
  const variable = variableName.safeParse(m?.[3]);
  const badScope = scope !== undefined && (scope === '' || scope.startsWith(':') || scope.endsWith(':'));
  if (!m || badScope || !header.success || !variable.success) {
    const reason =
      !m || badScope
        ? 'expected [<target>[:<check name>]:]<header>=<VARIABLE>'
        : !header.success
          ? `"${m[2]}" is not an HTTP header name`
          : (variable.error?.issues[0]?.message ?? 'bad variable name');
    throw configProblem(`--check-header ${m ? `${scope ? `${scope}:` : ''}${m[2]}=${m[3]}` : '(value)'}: ${reason}.`, {
      details: { flag: '--check-header' },
    });
  }
  return { target: scope ?? '*', header: header.data, variable: variable.data, from: '--check-header' };
}

/**
 * The check headers of the user configuration and the flags, with their values read from the
 * environment. A header whose variable is unset (or shorter than 8 characters, too short to be
 * kept out of every output reliably) stops the command with exit 3, naming the variable only.
 */
function checkHeadersOf(
  env: CliDeps['env'],
  parsed: Parsed,
  user: z.output<typeof userConfigSchema> | undefined,
  userFile: string | undefined,
): Settings['checkHeaders'] {
  const sources: HeaderSource[] = [
    ...Object.entries(user?.checks ?? {}).flatMap(([target, c]) =>
      Object.entries(c.headers).map(([header, variable]) => ({
        target,
        header,
        variable,
        from: userFile ?? 'the user configuration',
      })),
    ),
    ...strs(parsed, 'check-header').map(headerFlag),
  ];
  const out: Record<string, Record<string, string>> = {};
  for (const s of sources) {
    const value = env[s.variable];
    if (value === undefined || value.length < 8) {
      throw configProblem(
        `${s.from} sends the check header ${s.header} from ${s.variable}, which is ${value === undefined ? 'not set' : 'shorter than 8 characters'}.`,
        { details: { variable: s.variable, header: s.header, target: s.target } },
      );
    }
    out[s.target] = { ...out[s.target], [s.header.toLowerCase()]: value };
  }
  return out;
}

/** Values the CLI must never print beyond the tokens: the check headers' values (best effort, never throws). */
export function checkHeaderSecrets(env: CliDeps['env'], argv: readonly string[]): string[] {
  const names = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = a.startsWith('--check-header=')
      ? a.slice('--check-header='.length)
      : a === '--check-header'
        ? argv[i + 1]
        : undefined;
    const m = v === undefined ? null : /=([A-Za-z_][A-Za-z0-9_]*)$/.exec(v);
    if (m) names.add(m[1] as string);
  }
  try {
    const file = userConfigPath(env);
    const user = file === undefined ? undefined : userConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    for (const c of Object.values(user?.success ? (user.data.checks ?? {}) : {}))
      for (const n of Object.values(c.headers)) names.add(n);
  } catch {
    // no user configuration, or a bad one (loadSettings reports it)
  }
  return [...names].map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length >= 6);
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
  refuseUserinfo(data.gitlab?.url, file ?? CONFIG_FILE_NAME, '/gitlab/url');
  const chosen = chosenHost(env, str(parsed, 'gitlab-url'), user, userFile);
  const fileUrl = data.gitlab?.url;
  if (fileUrl !== undefined && (chosen === undefined || hostKey(chosen) !== hostKey(fileUrl))) {
    const yours =
      chosen === undefined
        ? 'you have not chosen one (set GITLAB_URL or GITLAB_HOST, --gitlab-url, or gitlab.url in your user configuration)'
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
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  return {
    file,
    gitlabUrl: chosen,
    ...chooseToken(env, parsed, user),
    checkHeaders: checkHeadersOf(env, parsed, user, userFile),
    timeoutMs: data.gitlab?.timeoutMs ?? user?.gitlab?.timeoutMs,
    runbook: data.runbook ?? {},
    wait: {
      maxWaitMs: data.wait?.maxWaitMs ?? 30 * 60_000,
      minDelayMs: data.wait?.minDelayMs ?? 2_000,
      maxDelayMs: data.wait?.maxDelayMs ?? 30_000,
      stableForMs: data.wait?.stableForMs ?? 0,
    },
    rollbackOnFailure: data.rollbackOnFailure ?? false,
    lock: { ...data.lock },
    ciMr: env.CI_PROJECT_PATH && Number.isInteger(iid) && iid > 0 ? { project: env.CI_PROJECT_PATH, iid } : undefined,
  };
}
