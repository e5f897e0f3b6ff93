import { EXIT_CODES } from './exit-codes.js';
import { problemLine } from './problem.js';
import type { CliDeps, Io } from './types.js';

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** Values that must never be printed: the tokens the environment holds. */
export function secretsOf(env: CliDeps['env']): string[] {
  return [env.GITLAB_TOKEN, env.CI_JOB_TOKEN, env.HOTFIX_TOKEN].filter(
    (v): v is string => typeof v === 'string' && v.length >= 6,
  );
}

/** Creates the output of one run. */
export function createIo(deps: CliDeps, opts: { readonly json: boolean; readonly noColor: boolean }): Io {
  const secrets = secretsOf(deps.env);
  const redact = (t: string) => secrets.reduce((acc, s) => acc.split(s).join('[REDACTED]'), t);
  const stdout = (t: string) => deps.stdout(redact(t));
  const stderr = (t: string) => deps.stderr(redact(t));
  const inCi = deps.env.CI === 'true' || deps.env.GITLAB_CI === 'true';
  const tty = deps.stderrIsTTY === true;
  const color = tty && !opts.noColor && deps.env.NO_COLOR === undefined && deps.env.TERM !== 'dumb';
  let done = false;
  const io: Io = {
    json: opts.json,
    color,
    live: tty && !inCi,
    out: (t) => {
      if (!opts.json) stdout(t);
    },
    err: stderr,
    raw: stdout,
    result(doc, exitCode) {
      if (opts.json && !done) stdout(`${JSON.stringify({ ...doc, exitCode }, null, 2)}\n`);
      done = true;
      return exitCode;
    },
    fail(p, hints = []) {
      if (opts.json) {
        if (!done) stdout(`${JSON.stringify(hints.length ? { ...p, hints } : p, null, 2)}\n`);
      } else {
        stderr(`${io.paint('red', problemLine(p))}\n`);
        for (const h of hints) stderr(`  ${h}\n`);
      }
      done = true;
      return p.exitCode ?? EXIT_CODES.internal;
    },
    paint: (code, text) => (color ? `\x1b[${ANSI[code]}m${text}\x1b[0m` : text),
  };
  return io;
}
