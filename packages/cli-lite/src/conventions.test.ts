/** The habits users bring from glab and common CLIs: colour variables, usage, help, repeated flags, completion. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bashScript, completionTable, fishScript, zshScript } from './commands/completion.js';
import { colorFor } from './io.js';
import { displayWidth, fitStatus, inert, shortenMiddle } from './live-line.js';
import { COMMANDS, run } from './run.js';

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    deps: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env },
  };
}

describe('colorFor', () => {
  it('turns colour off only for a non-empty NO_COLOR, and FORCE_COLOR wins (0/false force it off)', () => {
    expect(colorFor({}, true, false)).toBe(true);
    expect(colorFor({}, false, false)).toBe(false);
    expect(colorFor({ NO_COLOR: '' }, true, false)).toBe(true);
    expect(colorFor({ NO_COLOR: '1' }, true, false)).toBe(false);
    expect(colorFor({ FORCE_COLOR: '1' }, false, false)).toBe(true);
    expect(colorFor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false, false)).toBe(true);
    expect(colorFor({ FORCE_COLOR: '' }, false, false)).toBe(false);
    expect(colorFor({ FORCE_COLOR: '0' }, true, false)).toBe(false);
    expect(colorFor({ FORCE_COLOR: 'false' }, true, false)).toBe(false);
    expect(colorFor({ TERM: 'dumb' }, true, false)).toBe(false);
    expect(colorFor({ FORCE_COLOR: '1' }, true, true)).toBe(false);
  });

  it('decides colour per stream: a piped stdout stays plain while a terminal stderr is coloured', async () => {
    const c = capture({});
    const deps = { ...c.deps, stdoutIsTTY: false, stderrIsTTY: true };
    expect(await run(['evidence', 'verify', 'missing.json'], deps)).toBe(64);
    expect(c.err.join('')).toContain('\x1b[31m');
    const d = capture({});
    expect(await run(['runbook'], { ...d.deps, stdoutIsTTY: true, stderrIsTTY: false })).toBe(0);
    expect(d.out.join('')).not.toContain('\x1b[');
  });
});

describe('run conventions', () => {
  it('prints usage on stderr with exit 64 for a bare hotfix, and on stdout with exit 0 for --help', async () => {
    const bare = capture();
    expect(await run([], bare.deps)).toBe(64);
    expect(bare.out).toEqual([]);
    expect(bare.err.join('')).toContain('Usage:');
    const h = capture();
    expect(await run(['--help'], h.deps)).toBe(0);
    expect(h.err).toEqual([]);
    expect(h.out.join('')).toContain('hotfix help <command>');
  });

  it('shows one command with hotfix help <command>, and refuses an unknown one (64)', async () => {
    for (const key of Object.keys(COMMANDS)) {
      const c = capture();
      expect(await run(['help', ...key.split(' ')], c.deps)).toBe(0);
      expect(c.out.join('')).toContain(`Usage: hotfix ${key}`);
    }
    const bad = capture();
    expect(await run(['help', 'frobnicate'], bad.deps)).toBe(64);
    expect(bad.err.join('')).toContain('"frobnicate"');
    expect(await run(['help', 'runbook', 'extra'], capture().deps)).toBe(64);
  });

  it('refuses a single-valued flag given twice, naming it, and keeps every value of a repeatable one', async () => {
    const c = capture();
    expect(await run(['abandon', 'a.journal.json', '--reason', 'x', '--reason', 'y'], c.deps)).toBe(64);
    expect(c.err.join('')).toContain('--reason was given more than once');
    // promote and preflight take several MRs (D4 across repositories): --mr repeats there, every value counts.
    const m = capture();
    expect(await run(['promote', '--mr', 'a/b!1', '--mr', 'c/d!2', '--dry-run'], m.deps)).not.toBe(64);
    const j = capture();
    expect(await run(['status', '--evidence', 'a.json', '--evidence=b.json', '--json'], j.deps)).toBe(64);
    expect(JSON.parse(j.out.join(''))).toMatchObject({ code: 'usage', detail: expect.stringContaining('--evidence') });
    const b = capture();
    expect(await run(['runbook', '--no-color', '--no-color'], b.deps)).toBe(64);
    expect(b.err.join('')).toContain('--no-color');
    // --key repeats in evidence verify: both files count (both are missing, the first one is named)
    const k = capture();
    expect(await run(['evidence', 'verify', 'env.json', '--key', 'a.pem', '--key', 'b.pem'], k.deps)).not.toBe(64);
  });

  it('accepts --events ndjson only, once', async () => {
    const bad = capture();
    expect(await run(['runbook', '--events', 'xml'], bad.deps)).toBe(64);
    expect(JSON.parse(bad.out.join(''))).toMatchObject({ code: 'usage', detail: expect.stringContaining('ndjson') });
    const twice = capture();
    expect(await run(['runbook', '--events', 'ndjson', '--events', 'ndjson'], twice.deps)).toBe(64);
    const ok = capture();
    expect(await run(['runbook', '--events=ndjson'], ok.deps)).toBe(0);
    expect(ok.out).toHaveLength(1);
    expect(JSON.parse(ok.out[0] ?? '')).toMatchObject({ command: 'runbook', exitCode: 0 });
  });
});

describe('completion', () => {
  it('generates bash, zsh and fish scripts naming every command and every flag of the table', async () => {
    const c = capture();
    expect(await run(['completion', 'bash'], c.deps)).toBe(0);
    const self = await COMMANDS.completion?.load();
    if (!self) throw new Error('no completion command');
    const table = await completionTable(COMMANDS, self);
    expect(c.out.join('')).toBe(bashScript(table));
    for (const script of [bashScript(table), zshScript(table), fishScript(table)]) {
      for (const cmd of table) {
        for (const w of cmd.words) expect(script).toContain(w);
        for (const flag of Object.keys(cmd.options)) expect(script).toContain(flag);
      }
      expect(script).toContain('codequality');
    }
    expect(await run(['completion', 'powershell'], capture().deps)).toBe(64);
    expect(await run(['completion'], capture().deps)).toBe(64);
  });
});

describe('fitStatus', () => {
  it('never reaches the last column, whatever the text, link and width', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.option(fc.webUrl(), { nil: undefined }),
        fc.integer({ min: 10, max: 240 }),
        (text, link, columns) => {
          const line = fitStatus({ prefix: '⠋ 00:01', text: inert(text), link }, columns);
          expect(displayWidth(line)).toBeLessThan(columns);
        },
      ),
      { numRuns: 400, seed: 26 },
    );
  });

  it('shows control and bidi characters from GitLab as escapes instead of sending them to the terminal', () => {
    const title = `fix\u001b[2J\u001b]0;pwned\u0007 \u202etxt.exe\u202c\r\n`;
    expect(inert(title)).toBe('fix\\u001b[2J\\u001b]0;pwned\\u0007 \\u202etxt.exe\\u202c\\u000d\\u000a');
  });

  it('keeps the scheme, host and the end of a URL it shortens', () => {
    const url = 'https://gitlab.example.com/evenergi/develop/-/pipelines/123456';
    const short = shortenMiddle(url, 40);
    expect(displayWidth(short)).toBeLessThanOrEqual(40);
    expect(short.startsWith('https://gitlab.example.com…')).toBe(true);
    expect(short.endsWith('/123456')).toBe(true);
  });
});
