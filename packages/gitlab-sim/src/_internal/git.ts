import { spawn } from 'node:child_process';

/** What one native git invocation returned. */
export interface GitRun {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Thrown inside the simulator when a git command that must succeed fails. */
export class SimGitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly run: GitRun,
  ) {
    super(`git ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
    this.name = 'SimGitError';
  }
}

const BASE_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'GitLab Simulator',
  GIT_AUTHOR_EMAIL: 'sim@gitlab.invalid',
  GIT_COMMITTER_NAME: 'GitLab Simulator',
  GIT_COMMITTER_EMAIL: 'sim@gitlab.invalid',
  LC_ALL: 'C',
};

/**
 * Runs native git asynchronously. The simulator never calls git synchronously:
 * a blocking call in the server process deadlocks clients talking to it.
 */
export function runGit(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; input?: Buffer | string },
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: { ...process.env, HOME: process.env.HOME ?? '/tmp', ...BASE_ENV, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {
      // git may exit before reading all of stdin; its exit code tells what happened.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs git and returns stdout as trimmed text, throwing SimGitError on a non-zero exit. */
export async function git(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; input?: Buffer | string },
): Promise<string> {
  const run = await runGit(args, opts);
  if (run.code !== 0) throw new SimGitError(args, run);
  return run.stdout.toString('utf8').trim();
}

/** Serialises async work per key (one repository at a time), so concurrent requests stay consistent. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier call with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
