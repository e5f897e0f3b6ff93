/**
 * Runs the `hotfix` CLI as a real child process: the built `dist/bin.js` when it is newer than
 * every source file it bundles (CI builds before testing), otherwise the TypeScript sources
 * through tsx with the `@hotfix-release/source` condition; HOTFIX_E2E_BIN=dist|source forces one.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The package folder. */
export const PKG = resolve(here, '../..');
const ROOT = resolve(PKG, '../..');
const DIST_BIN = join(PKG, 'dist/bin.js');
const SRC_BIN = join(PKG, 'src/bin.ts');
/** The module-log hook (see module-log.mjs). */
export const MODULE_LOG_HOOK = pathToFileURL(join(here, 'module-log.mjs')).href;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function distIsFresh(): boolean {
  if (!existsSync(DIST_BIN)) return false;
  const built = statSync(DIST_BIN).mtimeMs;
  return ['cli-lite', 'sdk', 'policy', 'evidence'].every((p) => {
    const dist = join(ROOT, 'packages', p, 'dist/index.js');
    return existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(ROOT, 'packages', p, 'src')) && built > 0;
  });
}

// HOTFIX_E2E_BIN=dist|source forces one (e.g. to test the build while others edit sources).
const forced = process.env.HOTFIX_E2E_BIN;
const useDist = forced === 'dist' ? true : forced === 'source' ? false : distIsFresh();
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(join(ROOT, 'package.json')).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

/** Node arguments that start the CLI (before its own arguments). */
export function cliNodeArgs(extraImports: readonly string[] = []): string[] {
  const imports = extraImports.flatMap((i) => ['--import', i]);
  return useDist
    ? [...imports, DIST_BIN]
    : ['--import', tsxLoader, '--conditions=@hotfix-release/source', ...imports, SRC_BIN];
}

/** Which build the tests run. */
export const CLI_MODE = useDist ? 'dist' : 'source';

/** The result of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Everything every run printed, for the no-token assertion. */
export const allOutput: string[] = [];

/**
 * How long one CLI run may take before it is killed and the test fails naming the command and what
 * it printed last (HOTFIX_E2E_RUN_TIMEOUT_MS; default under the slowest suite's test timeout), so a
 * run that hangs says where instead of surfacing as a bare test timeout.
 */
const RUN_DEADLINE_MS = Number(process.env.HOTFIX_E2E_RUN_TIMEOUT_MS) || 150_000;

function hung(args: readonly string[], ms: number, stdout: string, stderr: string): Error {
  return new Error(
    `hotfix ${args.join(' ')} did not finish within ${ms} ms and was killed.\n--- stderr (last 4000 characters) ---\n${stderr.slice(-4000)}\n--- stdout (last 2000 characters) ---\n${stdout.slice(-2000)}`,
  );
}

/** Runs `hotfix <args>` in `cwd` with exactly the given environment (plus PATH). */
export function runCli(
  args: readonly string[],
  opts: {
    readonly cwd: string;
    readonly env?: Readonly<Record<string, string>>;
    readonly imports?: readonly string[];
    readonly onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  },
): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [...cliNodeArgs(opts.imports), ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killedAt: number | undefined;
    const deadline = setTimeout(() => {
      killedAt = RUN_DEADLINE_MS;
      child.kill('SIGKILL');
    }, RUN_DEADLINE_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', (e) => {
      clearTimeout(deadline);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      allOutput.push(stdout, stderr);
      if (killedAt !== undefined) reject(hung(args, killedAt, stdout, stderr));
      else resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a shell command line under a pseudo-terminal (util-linux `script`) and returns what it printed. */
export function runInPty(
  args: readonly string[],
  opts: { cwd: string; env: Readonly<Record<string, string>> },
): Promise<CliRun> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, ...cliNodeArgs(), ...args].map(quote).join(' ');
  return new Promise((resolveRun, reject) => {
    const child = spawn('script', ['-qefc', line, '/dev/null'], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      allOutput.push(stdout);
      resolveRun({ code, signal, stdout, stderr: '' });
    });
  });
}
