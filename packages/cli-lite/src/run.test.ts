import { EXIT_CODES as POLICY_EXIT_CODES } from '@hotfix-release/policy';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { exitCodeForTargets } from './commands/_promotion.js';
import { EXIT_CODES } from './exit-codes.js';
import * as api from './index.js';
import { createIo } from './io.js';
import { problem } from './problem.js';
import { CLI_VERSION, run } from './run.js';

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env } };
}

const COMMANDS = [
  ['preflight'],
  ['promote'],
  ['resume'],
  ['resolve'],
  ['rollback'],
  ['status'],
  ['policy', 'check'],
  ['evidence', 'verify'],
  ['evidence', 'sign'],
  ['evidence', 'schema'],
  ['evidence', 'report'],
  ['runbook'],
];

describe('run', () => {
  it('prints the package version', async () => {
    const c = capture();
    expect(await run(['--version'], c.deps)).toBe(0);
    expect(c.out.join('')).toBe(`${pkg.version}\n`);
    expect(CLI_VERSION).toBe(pkg.version);
  });

  it('lists the runbook IDs', async () => {
    const c = capture();
    expect(await run(['runbook'], c.deps)).toBe(0);
    expect(c.out.join('')).toContain('S5\tNever choose bring-all-code-to-release-branch');
  });

  it('returns 64 for an unknown command and names it', async () => {
    const c = capture();
    expect(await run(['frobnicate'], c.deps)).toBe(64);
    expect(c.err.join('')).toContain('"frobnicate"');
    expect(await run(['policy'], capture().deps)).toBe(64);
  });

  it('shows help with an example for every command', async () => {
    for (const argv of COMMANDS) {
      const c = capture();
      expect([argv.join(' '), await run([...argv, '--help'], c.deps)]).toEqual([argv.join(' '), 0]);
      expect(c.out.join('')).toMatch(
        new RegExp(`Usage: hotfix ${argv.join(' ')}[\\s\\S]*Example:\\n  hotfix ${argv[0]}`),
      );
    }
    const top = capture();
    expect(await run(['--help'], top.deps)).toBe(0);
    for (const code of Object.values(EXIT_CODES)) expect(top.out.join('')).toMatch(new RegExp(`^ +${code}  \\w`, 'm'));
  });

  it('has exit codes 0-3 of the policy package and one distinct code per outcome class', () => {
    expect(EXIT_CODES).toMatchObject(POLICY_EXIT_CODES);
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('exports a documented public surface', () => {
    expect(Object.keys(api).sort()).toEqual(['CLI_VERSION', 'EXIT_CODES', 'cliEventsJsonSchema', 'processDeps', 'run']);
  });
});

describe('exitCodeForTargets', () => {
  const t = (outcome: string, reason?: string) =>
    ({ target: 'a/b', outcome, reason, message: '', record: {} }) as never;
  it('maps target outcomes to one exit code, failure first', () => {
    expect(exitCodeForTargets([t('promoted')], false)).toBe(0);
    expect(exitCodeForTargets([t('pending', 'conflict')], false)).toBe(6);
    expect(exitCodeForTargets([t('pending', 'awaiting-human')], false)).toBe(5);
    expect(exitCodeForTargets([t('pending', 'timeout')], false)).toBe(4);
    expect(exitCodeForTargets([t('pending', 'aborted')], false)).toBe(130);
    expect(exitCodeForTargets([t('promoted'), t('failed', 'deploy-failed')], true)).toBe(1);
    expect(exitCodeForTargets([t('rolled_back', 'validation-failed')], false)).toBe(1);
  });
});

describe('createIo', () => {
  it('redacts the tokens of the environment from every output and prints one JSON document', () => {
    const c = capture({ GITLAB_TOKEN: 'glpat-secret-value', CI_JOB_TOKEN: 'job-token-value' });
    const io = createIo(c.deps, { mode: 'json', noColor: false });
    io.err('using glpat-secret-value and job-token-value\n');
    io.out('ignored in json mode\n');
    io.fail(problem({ code: 'x', detail: 'token glpat-secret-value leaked', exitCode: EXIT_CODES.failed }));
    io.result({ late: true }, 0);
    expect(c.err.join('')).toBe('using [REDACTED] and [REDACTED]\n');
    expect(c.out).toHaveLength(1);
    expect(JSON.parse(c.out[0] ?? '')).toMatchObject({ code: 'x', detail: 'token [REDACTED] leaked', status: 422 });
  });
});
