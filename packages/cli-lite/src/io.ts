import { checkHeaderSecrets } from './config.js';
import { EXIT_CODES } from './exit-codes.js';
import { problemLine } from './problem.js';
import type { CliDeps, Io, OutputMode, Paint } from './types.js';

const ANSI: Readonly<Record<Paint, number>> = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 };

/** Values that must never be printed: the tokens the environment holds. */
export function secretsOf(env: CliDeps['env']): string[] {
  return [env.GITLAB_TOKEN, env.CI_JOB_TOKEN, env.HOTFIX_TOKEN].filter(
    (v): v is string => typeof v === 'string' && v.length >= 6,
  );
}

/**
 * Whether one stream gets colour. In order: `--no-color` turns it off; a non-empty `FORCE_COLOR`
 * turns it on (`0` and `false` turn it off, as Node.js reads them); a non-empty `NO_COLOR` turns it
 * off (no-color.org: an empty one does not); otherwise colour only on a terminal whose `TERM` is not `dumb`.
 */
export function colorFor(env: CliDeps['env'], isTTY: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

/** Creates the output of one run. */
export function createIo(
  deps: CliDeps,
  opts: { readonly mode: OutputMode; readonly noColor: boolean; readonly argv?: readonly string[] },
): Io {
  // The check headers' values (staging credentials) are as secret as the tokens.
  const secrets = [...secretsOf(deps.env), ...checkHeaderSecrets(deps.env, opts.argv ?? [])];
  const redact = (t: string) => secrets.reduce((acc, s) => acc.split(s).join('[REDACTED]'), t);
  const stdout = (t: string) => deps.stdout(redact(t));
  const stderr = (t: string) => deps.stderr(redact(t));
  const inCi = deps.env.CI === 'true' || deps.env.GITLAB_CI === 'true';
  const machine = opts.mode !== 'human';
  const color = colorFor(deps.env, deps.stdoutIsTTY === true, opts.noColor);
  const colorErr = colorFor(deps.env, deps.stderrIsTTY === true, opts.noColor);
  const document = (value: unknown) =>
    opts.mode === 'ndjson' ? `${JSON.stringify(value)}\n` : `${JSON.stringify(value, null, 2)}\n`;
  let done = false;
  const painter = (on: boolean) => (code: Paint, text: string) => (on ? `\x1b[${ANSI[code]}m${text}\x1b[0m` : text);
  const io: Io = {
    json: machine,
    events: opts.mode === 'ndjson',
    color,
    colorErr,
    live: deps.stderrIsTTY === true && !inCi,
    out: (t) => {
      if (!machine) stdout(t);
    },
    err: stderr,
    raw: stdout,
    event: (value) => stdout(`${JSON.stringify(value)}\n`),
    result(doc, exitCode) {
      if (machine && !done) stdout(document({ ...doc, exitCode }));
      done = true;
      return exitCode;
    },
    fail(p, hints = []) {
      if (machine) {
        if (!done) stdout(document(hints.length ? { ...p, hints } : p));
      } else {
        stderr(`${io.paintErr('red', problemLine(p))}\n`);
        for (const h of hints) stderr(`  ${h}\n`);
      }
      done = true;
      return p.exitCode ?? EXIT_CODES.internal;
    },
    paint: painter(color),
    paintErr: painter(colorErr),
    columns: () => {
      const c = deps.stderrColumns?.();
      return typeof c === 'number' && Number.isFinite(c) && c > 0 ? Math.floor(c) : 80;
    },
    onResize: (handler) => deps.onResize?.(handler) ?? (() => {}),
  };
  return io;
}
