/**
 * `hotfix evidence report --html` end to end as a child process: the page is written for passing,
 * failing and unreadable evidence (exit 0: the verdict is in the page), hostile bundle values stay
 * inert, configuration and usage errors keep their exit codes, and neither GitLab client nor git loads.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealBundle } from '@hotfix-release/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPromotionBundle, FIXTURE_NOW } from '../../evidence/test/promotion-bundle-fixture.js';
import { MODULE_LOG_HOOK, runCli } from './support/cli.js';

let dir: string;
const env = { NO_COLOR: '1' };
/** The gate's policy file and the MR the fixture bundle is evidence of: the page is checked as the gate checks. */
const GATE = ['--policy', 'policy.json', '--mr', 'fleet/charging-api!42'];
const POLICY = {
  version: 1,
  gitlab: { url: 'https://gitlab.example.com' },
  orchestration: { project: 'evenergi/develop', ref: 'main' },
  release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
  governedProjects: ['fleet/charging-api'],
};
const cli = (args: string[]) => runCli([...args, ...GATE], { cwd: dir, env });

function sealed(mutate: (b: ReturnType<typeof buildPromotionBundle>) => void = () => {}): string {
  const b = buildPromotionBundle();
  mutate(b);
  const s = sealBundle(b);
  if (!s.isOk()) throw new Error(s.error.message);
  return JSON.stringify(s.value, null, 2);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-cli-report-'));
  await writeFile(join(dir, 'good.json'), sealed());
  await writeFile(join(dir, 'policy.json'), JSON.stringify(POLICY));
  await writeFile(
    join(dir, 'hostile.json'),
    sealed((b) => {
      const c = b.hotfixes[0]?.commits[0];
      if (c) c.title = '<script>globalThis.pwned=1</script></style>\u202Etxt.exe';
      const p = b.targets[0]?.pipeline;
      if (p) p.inputs = { ...p.inputs, action: 'bring-all-code-to-release-branch' };
    }),
  );
  await writeFile(join(dir, 'garbage.json'), '{not json');
  await writeFile(join(dir, 'waivers-bad.json'), JSON.stringify({ version: 1, waivers: [{ control: 'E9' }] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hotfix evidence report', () => {
  it('writes the page for passing evidence without loading the GitLab client or git', async () => {
    const log = join(dir, 'modules.log');
    const r = await runCli(['evidence', 'report', 'good.json', '--now', FIXTURE_NOW, '--html', 'good.html', ...GATE], {
      cwd: dir,
      env: { ...env, HOTFIX_MODULE_LOG: log },
      imports: [MODULE_LOG_HOOK],
    });
    expect([r.code, r.stderr]).toEqual([
      0,
      'hotfix: evidence pass (policy exit 0); HTML report written to good.html\n',
    ]);
    const html = await readFile(join(dir, 'good.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<span class="verdict pass" id="verdict">');
    expect(await readFile(log, 'utf8')).not.toMatch(/@gitbeaker|isomorphic-git|packages\/sdk\/|@hotfix-release\/sdk/);
  });

  it('writes a failing, hostile bundle as an inert page and says the verdict (exit 0)', async () => {
    const [human, json] = await Promise.all([
      cli(['evidence', 'report', 'hostile.json', 'garbage.json', '--now', FIXTURE_NOW, '--html', 'bad.html']),
      cli(['evidence', 'report', 'hostile.json', '--now', FIXTURE_NOW, '--html', 'bad2.html', '--json']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('hotfix: evidence error (policy exit 2)');
    const html = await readFile(join(dir, 'bad.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;globalThis.pwned=1&lt;/script&gt;&lt;/style&gt;');
    expect(html).toContain('⟨U+202E⟩');
    expect(html).toContain('Evidence <code>garbage.json</code>');
    expect(JSON.parse(json.stdout)).toMatchObject({
      command: 'evidence report',
      html: 'bad2.html',
      status: 'fail',
      policyExitCode: 1,
      exitCode: 0,
    });
  });

  it('keeps the exit codes of usage (64), unreadable input (2) and bad configuration (3)', async () => {
    const [noHtml, none, missing, waivers] = await Promise.all([
      cli(['evidence', 'report', 'good.json']),
      cli(['evidence', 'report', '--html', 'x.html']),
      cli(['evidence', 'report', 'nope.json', '--html', 'x.html', '--json']),
      cli(['evidence', 'report', 'good.json', '--html', 'x.html', '--waivers', 'waivers-bad.json', '--json']),
    ]);
    expect([noHtml.code, none.code]).toEqual([64, 64]);
    expect(noHtml.stderr).toContain('--html <file> is required');
    const noPolicy = await runCli(['evidence', 'report', 'good.json', '--html', 'x.html'], { cwd: dir, env });
    expect([noPolicy.code, noPolicy.stderr]).toEqual([64, expect.stringContaining('--policy <file> is required')]);
    expect(JSON.parse(missing.stdout)).toMatchObject({ code: 'evidence-unreadable', exitCode: 2 });
    expect(JSON.parse(waivers.stdout)).toMatchObject({ code: 'invalid-waivers', exitCode: 3 });
  });
});
