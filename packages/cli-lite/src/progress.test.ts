import { describe, expect, it } from 'vitest';
import { createIo } from './io.js';
import { createProgress } from './progress.js';

function io(env: Record<string, string>, tty: boolean) {
  const err: string[] = [];
  const deps = { stdout: () => {}, stderr: (t: string) => err.push(t), env, stderrIsTTY: tty };
  return { err, io: createIo(deps, { json: false, noColor: false }) };
}

const at = '2026-11-30T02:00:00.000Z';

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

  it('redraws a live line on a terminal, with colour unless NO_COLOR, and plain lines in CI', () => {
    const tty = io({}, true);
    expect(tty.io.live && tty.io.color).toBe(true);
    const p = createProgress(tty.io, () => 65_000);
    p.onEvent({ type: 'step', at, step: 'deploy', status: 'done', message: 'Deployed', target: 'a/b' });
    p.stop();
    expect(tty.err.join('')).toContain('\r\x1b[2K');
    expect(tty.err.join('')).toContain('\x1b[32m✓\x1b[0m');
    expect(io({ NO_COLOR: '1' }, true).io).toMatchObject({ live: true, color: false });
    expect(io({ CI: 'true' }, true).io.live).toBe(false);
    expect(io({ GITLAB_CI: 'true' }, true).io.live).toBe(false);
  });
});
