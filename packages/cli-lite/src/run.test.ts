import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { CLI_VERSION, run } from './run.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env: {} } };
}

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
  });
});
