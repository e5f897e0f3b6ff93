/**
 * `pnpm demo` (scripts/demo.ts) end to end, as the README's first command runs it: the promotion against
 * the simulator in REALISTIC mode, its evidence passing the policy, and E2 and E3 resting on `observed`.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let run: { code: number | null; out: string };

beforeAll(async () => {
  run = await new Promise((done) => {
    const child = spawn('pnpm', ['exec', 'tsx', '--conditions=@hotfix-release/source', 'scripts/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.on('close', (code) => done({ code, out }));
  });
}, 240_000);

describe('pnpm demo', () => {
  it('promotes against the realistic simulator and its evidence passes the policy with E2 and E3 observed', () => {
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/GitLab simulator \(realistic mode\) at http/);
    expect(run.out).toMatch(/PASS \(exit 0\): \d+ passed, 0 failed, 0 errors/);
    expect(run.out).toMatch(/evenergi\/charging-api: E2 observed, E3 observed$/m);
    expect(run.out).toContain('Demo finished: the hotfix is in staging, validated, with passing evidence.');
  });
});
