/**
 * `hotfix policy check --policy-ref/--waivers-ref` end to end (issue 20): the gate reads its policy
 * file and waivers LIVE from the project's default branch over the simulator's API, never from the
 * merge request's checkout; another ref is refused; waivers from the default branch carry authority
 * a local file does not; and a waiver approved by the MR's author (read live) is refused.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const MR_REF = `${MR.project}!${MR.iid}`;
let w: CliWorld;
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: w.dir, env: { ...w.env, ...env } });

/** `hotfix policy check ev.json --policy <file> --policy-ref <ref> --mr <MR>` and more flags. */
const gate = (file: string, ref: string, ...more: string[]) =>
  cli(['policy', 'check', 'ev.json', '--policy', file, '--policy-ref', ref, '--mr', MR_REF, ...more]);

/** The gate's policy. */
function policy(label: string, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    gitlab: { url: w.sim.url },
    orchestration: { project: 'evenergi/develop', ref: 'main' },
    release: { branch: 'release', environment: 'staging', label },
    governedProjects: [MR.project],
    ...extra,
  };
}

/** Commits files to a branch of the MR's project through the API, as a maintainer would. */
async function commit(branch: string, files: Record<string, unknown>, start?: string): Promise<void> {
  const existing = await fetch(
    `${w.sim.apiUrl}/projects/${encodeURIComponent(MR.project)}/repository/tree?ref=${start ?? branch}&per_page=100`,
    { headers: { 'private-token': w.sim.token } },
  );
  const names = new Set(((await existing.json()) as { path: string }[]).map((e) => e.path));
  const res = await fetch(`${w.sim.apiUrl}/projects/${encodeURIComponent(MR.project)}/repository/commits`, {
    method: 'POST',
    headers: { 'private-token': w.sim.token, 'content-type': 'application/json' },
    body: JSON.stringify({
      branch,
      ...(start ? { start_branch: start } : {}),
      commit_message: 'gate: policy and waivers\n',
      actions: Object.entries(files).map(([file_path, value]) => ({
        action: names.has(file_path) ? 'update' : 'create',
        file_path,
        content: JSON.stringify(value, null, 2),
      })),
    }),
  });
  expect(res.status).toBe(201);
}

const waiverE8 = (approver: string) => ({
  version: 1,
  waivers: [
    {
      control: 'E8',
      scope: { mr: MR_REF },
      reason: 'the label is applied by the QA bot after the release train',
      approver,
      expiresAt: '2099-01-01T00:00:00Z',
    },
  ],
});

type Report = { controls: { id: string; status: string; message: string }[] };
const statusOf = (stdout: string, id: string) => (JSON.parse(stdout) as Report).controls.find((c) => c.id === id);

beforeAll(async () => {
  w = await startCliWorld();
  const r = await cli(['promote', '--mr', MR_REF, '--evidence', 'ev.json']);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix policy check reading the policy and waivers live from the default branch', () => {
  it('judges with the policy file as committed on the default branch, not a local file of that name', async () => {
    // A local file of the same name says something else: only the live one may count.
    await writeFile(join(w.dir, 'gate-policy.json'), JSON.stringify(policy('Validated in Staging')));
    const strict = policy('Validated in Staging', {
      orchestration: {
        project: 'evenergi/develop',
        ref: 'main',
        fingerprints: { deploy: ['no-such-job'], cutOff: ['bring-all-code-to-release-branch'] },
      },
    });
    await commit('main', { 'gate-policy.json': strict });
    const r = await gate('gate-policy.json', 'main', '--json');
    expect({ code: r.code, out: r.code === 1 ? '' : r.stdout + r.stderr }).toEqual({ code: 1, out: '' });
    const e2 = statusOf(r.stdout, 'E2');
    expect(e2?.status).toBe('fail');
    expect(e2?.message).toContain('no-such-job');
    await commit('main', { 'gate-policy.json': policy('Validated in Staging') });
    const again = await gate('gate-policy.json', 'main');
    expect({ code: again.code, out: again.code === 0 ? '' : again.stdout + again.stderr }).toEqual({
      code: 0,
      out: '',
    });
  });

  it('refuses a ref other than the default branch (exit 3, policy-source-untrusted), and a missing file', async () => {
    await commit('gate-edit', { 'gate-policy.json': policy('Validated in Staging') }, 'main');
    const other = await gate('gate-policy.json', 'gate-edit', '--json');
    expect(other.code).toBe(3);
    expect(JSON.parse(other.stdout)).toMatchObject({ code: 'policy-source-untrusted', exitCode: 3 });
    expect(JSON.parse(other.stdout).detail).toContain('not the project');
    const missing = await gate('no-such-policy.json', 'main', '--json');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({ code: 'policy-source-unreadable' });
  });

  it('in CI, refuses a policy file inside the checkout under review, and accepts the same one read from the ref', async () => {
    const ci = { CI: 'true', CI_PROJECT_DIR: w.dir, CI_SERVER_URL: w.sim.url, CI_PROJECT_PATH: MR.project };
    const withMr = { ...ci, CI_MERGE_REQUEST_IID: String(MR.iid) };
    const relaxed = policy('Validated in Staging', { signing: { allowUnsigned: true } });
    await writeFile(join(w.dir, 'ci-policy.json'), JSON.stringify(relaxed));
    const local = await cli(['policy', 'check', 'ev.json', '--policy', 'ci-policy.json', '--json'], withMr);
    expect(local.code).toBe(3);
    expect(JSON.parse(local.stdout)).toMatchObject({ code: 'policy-source-untrusted' });
    await commit('main', { 'ci-policy.json': relaxed });
    const live = await cli(
      ['policy', 'check', 'ev.json', '--policy', 'ci-policy.json', '--policy-ref', 'main', '--json'],
      withMr,
    );
    expect({ code: live.code, out: live.code === 0 ? '' : live.stdout + live.stderr }).toEqual({ code: 0, out: '' });
  });

  /** The hotfix MR's author, as GitLab reports it. */
  const mrAuthor = async () => {
    const mr = (await w.api('GET', `/projects/${encodeURIComponent(MR.project)}/merge_requests/${MR.iid}`)) as {
      author?: { username?: string };
    };
    return mr.author?.username;
  };
  /** The gate refused (exit 3) a waiver the MR's author approved, naming them. */
  const expectSelfWaiverRefused = (r: { code: number | null; stdout: string }, username: string) => {
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'waivers-not-authorized' });
    expect(JSON.parse(r.stdout).detail).toContain(`approved by ${username}`);
  };

  it('applies waivers read from the default branch (an expired one fails E8); the same file read locally has no authority', async () => {
    const approver = (await mrAuthor()) === 'bob' ? 'rita' : 'bob';
    const expired = {
      ...waiverE8(approver),
      waivers: [{ ...waiverE8(approver).waivers[0], expiresAt: '2020-01-01T00:00:00Z' }],
    };
    await commit('main', { 'waivers.json': expired });
    await writeFile(join(w.dir, 'waivers.json'), JSON.stringify(expired));
    const fromRef = await gate(
      'gate-policy.json',
      'main',
      '--waivers',
      'waivers.json',
      '--waivers-ref',
      'main',
      '--live',
      '--json',
    );
    expect({ code: fromRef.code, out: fromRef.code === 1 ? '' : fromRef.stdout + fromRef.stderr }).toEqual({
      code: 1,
      out: '',
    });
    expect(statusOf(fromRef.stdout, 'E8')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(new RegExp(`waiver by ${approver} expired`)),
    });
    const fromFile = await gate('gate-policy.json', 'main', '--waivers', 'waivers.json', '--json');
    expect(fromFile.code).toBe(3);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ code: 'waivers-not-authorized' });
  });

  it('refuses waivers from the default branch approved by the merge request’s author, read live', async () => {
    const username = await mrAuthor();
    expect(username).toEqual(expect.any(String));
    await commit('main', { 'self-waivers.json': waiverE8(username as string) });
    const r = await gate(
      'gate-policy.json',
      'main',
      '--waivers',
      'self-waivers.json',
      '--waivers-ref',
      'main',
      '--live',
      '--json',
    );
    expectSelfWaiverRefused(r, username as string);
  });

  it('reads live the authors of the MRs the policy file pins (expected.mrs, D4): their waivers are refused too', async () => {
    const username = (await mrAuthor()) as string;
    await commit('main', {
      'pinned-policy.json': policy('Validated in Staging', { expected: { mrs: [MR_REF] } }),
      'self-waivers.json': waiverE8(username),
    });
    // No --mr and no CI: the MRs come from the policy file alone.
    const r = await cli([
      'policy',
      'check',
      'ev.json',
      '--policy',
      'pinned-policy.json',
      '--policy-ref',
      'main',
      '--policy-project',
      MR.project,
      '--waivers',
      'self-waivers.json',
      '--waivers-ref',
      'main',
      '--live',
      '--json',
    ]);
    expectSelfWaiverRefused(r, username as string);
  });
});
