import type { FlowEvent } from '@hotfix-release/sdk';
import { describe, expect, it } from 'vitest';
import { createIo } from './io.js';
import { displayWidth } from './live-line.js';
import { createProgress } from './progress.js';

function io(env: Record<string, string>, tty: boolean, columns = 80) {
  const err: string[] = [];
  const out: string[] = [];
  let resize: (() => void) | undefined;
  const deps = {
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    env,
    stderrIsTTY: tty,
    stderrColumns: () => columns,
    onResize: (h: () => void) => {
      resize = h;
      return () => {
        resize = undefined;
      };
    },
  };
  return {
    err,
    out,
    setColumns: (c: number) => {
      columns = c;
      resize?.();
    },
    io: createIo(deps, { mode: 'human', noColor: false }),
  };
}

const at = '2026-11-30T02:00:00.000Z';
const LONG_URL = 'http://127.0.0.1:39123/evenergi/develop/-/pipelines/123456789/jobs/987654321';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ERASE = /\r\u001b\[2K|\r\u001b\[\d+A\u001b\[J/;

/** The last status line drawn: what follows the last erase in the stderr stream. */
function drawnLines(err: readonly string[]): string[] {
  return err
    .join('')
    .split(ERASE)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l !== '');
}

describe('createProgress', () => {
  it('prints one ISO 8601 UTC line per event when not on a terminal, and skips repeated waits', () => {
    const { err, io: o } = io({}, false);
    const p = createProgress(o);
    p.onEvent({ type: 'step', at, step: 'pick', status: 'done', message: 'Picked: abc', target: 'a/b' });
    p.onEvent({ type: 'pipeline-created', at, target: 'a/b', pipelineId: 7, webUrl: 'https://gl/p/7' });
    p.onEvent({ type: 'waiting', at, target: 'a/b', phase: 'deployment', delayMs: 2000, remainingMs: 60_000 });
    p.onEvent({ type: 'waiting', at, target: 'a/b', phase: 'deployment', delayMs: 4000, remainingMs: 50_000 });
    p.stop();
    expect(err).toEqual([
      `${at} pick a/b done: Picked: abc\n`,
      `${at} pipeline #7 created https://gl/p/7\n`,
      `${at} waiting for deployment (next check in 2s, 01:00 left)\n`,
    ]);
  });

  it('redraws a live line on a terminal, with colour on stderr unless NO_COLOR, and plain lines in CI', () => {
    const tty = io({}, true);
    expect(tty.io.live && tty.io.colorErr).toBe(true);
    expect(tty.io.color).toBe(false); // stdout is not a terminal here: decided per stream
    const p = createProgress(tty.io, () => 65_000);
    p.onEvent({ type: 'step', at, step: 'deploy', status: 'done', message: 'Deployed', target: 'a/b' });
    p.stop();
    expect(tty.err.join('')).toContain('\r\x1b[2K');
    expect(tty.err.join('')).toContain('\x1b[32m✓\x1b[0m');
    expect(io({ NO_COLOR: '1' }, true).io).toMatchObject({ live: true, colorErr: false });
    expect(io({ CI: 'true' }, true).io.live).toBe(false);
    expect(io({ GITLAB_CI: 'true' }, true).io.live).toBe(false);
  });

  it('never draws a status line as wide as the terminal, shortening URLs in the middle', () => {
    for (const columns of [40, 70, 120]) {
      const t = io({ NO_COLOR: '1' }, true, columns);
      const p = createProgress(t.io, () => 5_000);
      const events: FlowEvent[] = [
        {
          type: 'step',
          at,
          step: 'await',
          status: 'start',
          message: 'Waiting for the deployment of 1234567890ab on staging',
          target: 'evenergi/charging-api',
        },
        { type: 'job-started', at, target: 'evenergi/charging-api', job: 'deploy-staging', webUrl: LONG_URL },
        {
          type: 'waiting',
          at,
          target: 'evenergi/charging-api',
          phase: 'deployment',
          delayMs: 900,
          remainingMs: 117_000,
        },
        {
          type: 'health-not-ok',
          at,
          target: 'evenergi/charging-api',
          url: `${LONG_URL}/health`,
          problem: 'version 0000 is not 1234 (修正 🚀)',
        },
      ];
      for (const e of events) p.onEvent(e);
      p.stop();
      const lines = drawnLines(t.err);
      const status = lines.filter((l) => l.startsWith('⠋') || l.startsWith('⠙'));
      expect(status.length).toBeGreaterThan(0);
      for (const l of status) expect(displayWidth(l)).toBeLessThan(columns);
      if (columns >= 120) expect(lines.join('\n')).toContain('http://127.0.0.1:39123…');
    }
  });

  it('prints each finished step once and keeps a step start on the status line only', () => {
    const t = io({ NO_COLOR: '1' }, true, 70);
    const p = createProgress(t.io, () => 1_000);
    p.onEvent({ type: 'step', at, step: 'pick', status: 'start', message: 'Picking', target: 'a/b' });
    p.onEvent({ type: 'step', at, step: 'pick', status: 'done', message: 'Picked', target: 'a/b' });
    p.stop();
    const text = t.err.join('');
    expect(text.match(/pick a\/b done: Picked\n/g)).toHaveLength(1);
    expect(text).not.toMatch(/pick a\/b start: Picking\n/);
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('redraws on resize, erasing every row a wider line was re-wrapped into', () => {
    const t = io({ NO_COLOR: '1' }, true, 120);
    const p = createProgress(t.io, () => 1_000);
    p.onEvent({ type: 'step', at, step: 'await', status: 'start', message: 'x'.repeat(100), target: 'a/b' });
    t.err.length = 0;
    t.setColumns(40);
    p.stop();
    expect(t.err[0]).toBe('\r\x1b[2A\x1b[J');
    for (const l of drawnLines(t.err)) expect(displayWidth(l)).toBeLessThan(40);
  });

  it('streams each event as one JSON line on stdout with --events ndjson', () => {
    const err: string[] = [];
    const out: string[] = [];
    const o = createIo(
      {
        stdout: (x) => out.push(x),
        stderr: (x) => err.push(x),
        env: { GITLAB_TOKEN: 'glpat-secret-123' },
        stderrIsTTY: true,
      },
      { mode: 'ndjson', noColor: false },
    );
    const p = createProgress(o);
    p.onEvent({ type: 'step', at, step: 'pick', status: 'done', message: 'token glpat-secret-123', target: 'a/b' });
    p.stop();
    expect(o.result({ command: 'promote', ok: true }, 0)).toBe(0);
    expect(out).toEqual([
      `${JSON.stringify({ type: 'step', at, step: 'pick', status: 'done', message: 'token [REDACTED]', target: 'a/b' })}\n`,
      `${JSON.stringify({ command: 'promote', ok: true, exitCode: 0 })}\n`,
    ]);
    expect(err).toEqual([]);
  });
});
