/**
 * Connects a command to GitLab: loads the SDK lazily (so commands that do not talk to GitLab,
 * like `policy check`, never load the GitLab client or git), validates the runbook configuration
 * and creates the client. Every failure is a problem naming the file, field and what is expected.
 */
import type { GitLabClient, HotfixError, RunbookConfig } from '@hotfix-release/sdk';
import type { Parsed } from './args.js';
import { loadSettings, type Settings } from './config.js';
import { EXIT_CODES } from './exit-codes.js';
import { ProblemError, problem } from './problem.js';
import { problemFromSdk } from './sdk-problem.js';
import type { CliDeps } from './types.js';

/** The SDK module, loaded on demand. */
export type Sdk = typeof import('@hotfix-release/sdk');

/** A command's GitLab connection. */
export interface GitLab {
  readonly sdk: Sdk;
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  readonly settings: Settings;
}

// `rename` maps a pointer into the SDK's input to where the value sits in hotfix.config.json.
function fieldProblem(settings: Settings, error: HotfixError, rename: (pointer: string) => string): ProblemError {
  const where = settings.file ?? 'configuration (no hotfix.config.json found)';
  if (error.code !== 'invalid-input' || error.details.issues.length === 0)
    return new ProblemError(problemFromSdk(error, { file: settings.file ?? null }, `${where}: ${error.message}`));
  const issues = error.details.issues.map((i) => ({ pointer: rename(i.pointer), message: i.message }));
  return new ProblemError(
    problem({
      code: 'invalid-config',
      title: 'Bad configuration',
      detail: `${where}: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
      exitCode: EXIT_CODES.configuration,
      extra: { file: settings.file ?? null, details: { pointer: issues[0]?.pointer ?? '', issues } },
    }),
  );
}

/**
 * Loads configuration and the SDK and validates the runbook configuration, without a client (no token
 * needed); throws a {@link ProblemError} on bad configuration.
 */
export async function loadRunbook(deps: CliDeps, parsed: Parsed): Promise<Omit<GitLab, 'client'>> {
  const settings = loadSettings(deps, parsed);
  const sdk = await import('@hotfix-release/sdk');
  const config = sdk.parseRunbookConfig(settings.runbook);
  if (config.isErr()) throw fieldProblem(settings, config.error, (p) => `/runbook${p}`);
  return { sdk, config: config.value, settings };
}

/**
 * Refuses, before any request, a token that cannot do what a command needs (a job token and a
 * promotion or rollback, or a read-only command that reads the merge request: `token-insufficient`,
 * P1/P3/P4, exit 3); throws a {@link ProblemError}.
 */
export async function requireTokenCan(
  gl: GitLab,
  operations: 'promotion' | 'rollback' | 'inspection',
  command: string,
): Promise<void> {
  const tokens = await import('@hotfix-release/sdk/gitlab');
  const ops = {
    promotion: tokens.PROMOTION_OPERATIONS,
    rollback: tokens.ROLLBACK_OPERATIONS,
    inspection: tokens.INSPECTION_OPERATIONS,
  }[operations];
  const can = tokens.checkTokenCan(gl.client.tokenKind, ops, command);
  if (can.isErr()) throw new ProblemError(problemFromSdk(can.error));
}

/** Loads configuration, the SDK and a client; throws a {@link ProblemError} on bad configuration. */
export async function connect(deps: CliDeps, parsed: Parsed): Promise<GitLab> {
  const { sdk, config, settings } = await loadRunbook(deps, parsed);
  if (!settings.gitlabUrl)
    throw new ProblemError(
      problem({
        code: 'invalid-config',
        title: 'Bad configuration',
        detail: `No GitLab URL: set GITLAB_URL, --gitlab-url or gitlab.url in ${settings.file ?? 'hotfix.config.json'}.`,
        exitCode: EXIT_CODES.configuration,
        extra: { details: { pointer: '/gitlab/url' } },
      }),
    );
  if (!settings.token)
    throw new ProblemError(
      problem({
        code: 'invalid-config',
        title: 'Bad configuration',
        detail: `No GitLab token: ${settings.tokenMissing ?? 'set GITLAB_TOKEN'}.`,
        exitCode: EXIT_CODES.configuration,
        extra: { details: { variable: settings.tokenKind === 'job' ? 'CI_JOB_TOKEN' : 'GITLAB_TOKEN' } },
      }),
    );
  const client = sdk.createGitLabClient({
    gitlabUrl: settings.gitlabUrl,
    token: settings.token,
    tokenKind: settings.tokenKind,
    userAgent: 'hotfix-cli',
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
  });
  if (client.isErr())
    throw fieldProblem(settings, client.error, (p) =>
      p === '/gitlabUrl' ? '/gitlab/url (or GITLAB_URL, --gitlab-url)' : p === '/timeoutMs' ? '/gitlab/timeoutMs' : p,
    );
  return { sdk, client: client.value, config, settings };
}
