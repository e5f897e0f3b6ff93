/**
 * Hostile CLI arguments (issue 12): thousands of seeded random argument vectors, built
 * from the real command and flag names plus junk (unicode, `..`, `%2F`, very long values,
 * prototype keys). The CLI never throws, never prints a stack trace, never reaches GitLab
 * (no token, no URL in the environment) and always exits with a documented code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, run } from '../src/index.js';

const WORDS = [
  'preflight',
  'promote',
  'resume',
  'resolve',
  'rollback',
  'status',
  'policy',
  'check',
  'evidence',
  'verify',
  'sign',
  'schema',
  'runbook',
  '--mr',
  '--target',
  '--dry-run',
  '--evidence',
  '--resolve',
  '--continue',
  '--json',
  '--format',
  'junit',
  'markdown',
  '--waivers',
  '--live',
  '--key',
  '--config',
  '--help',
  '-h',
  '--version',
];
const JUNK = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '..',
    '%2F',
    '../../etc/passwd',
    'a!b',
    '!1',
    'x/y!0',
    'x/y!-1',
    `${'x'.repeat(10_000)}!1`,
    '__proto__',
    'constructor',
    'évén/ərgi!1',
    '日本/語!2',
    ' ',
    '',
    '\u0000',
  ),
);

describe('hotfix with hostile arguments', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argv-fuzz-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('always exits with a documented code, never throws and never prints a stack trace', async () => {
    const codes = new Set<number>(Object.values(EXIT_CODES));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...WORDS), JUNK), { maxLength: 8 }), async (argv) => {
        const out: string[] = [];
        const code = await run(argv, { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {}, cwd: dir });
        const text = out.join('');
        expect(codes.has(code), `${JSON.stringify(argv)} → ${code}`).toBe(true);
        expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      }),
      { seed: 11, numRuns: 1500 },
    );
  }, 120_000);
});
