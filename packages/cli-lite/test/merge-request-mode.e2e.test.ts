/**
 * Issue 19 end to end: on a merge-only release (push access "No one", one approval required), the
 * dry run shows the merge-request pick mode; promote opens the release MR and exits 5 awaiting an
 * approval with its link; a second promote adopts the MR; after an approval through the API,
 * `hotfix resume` merges it and finishes, and the self-check (the policy) passes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

let w: CliWorld;
const MR = demo.mergeRequests.cleanPick;
const enc = encodeURIComponent(MR.project);

async function call(method: string, path: string, token: string, body?: unknown): Promise<number> {
  const res = await fetch(`${w.sim.apiUrl}${path}`, {
    method,
    headers: { 'private-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res.status;
}

beforeAll(async () => {
  w = await startCliWorld();
  expect(await call('DELETE', `/projects/${enc}/protected_branches/release`, w.sim.token)).toBe(204);
  const rule = { name: 'release', push_access_level: 0, merge_access_level: 40 };
  expect(await call('POST', `/projects/${enc}/protected_branches`, w.sim.token, rule)).toBe(201);
  const approvals = { name: 'Any', approvals_required: 1 };
  expect(await call('POST', `/projects/${enc}/approval_rules`, w.sim.token, approvals)).toBe(201);
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix promote on a merge-only release (issue 19)', () => {
  it('plans merge-request mode, stops awaiting the approval, and resume merges and finishes', async () => {
    const ref = `${MR.project}!${MR.iid}`;
    const plan = await runCli(['promote', '--mr', ref, '--dry-run'], { cwd: w.dir, env: w.env });
    expect(plan.stdout).toContain(`${MR.project}: pick mode merge-request: onto hotfix-release/pick/`);
    expect(plan.stdout).toContain('pick-through-merge-request [S2]');

    const bad = await runCli(['promote', '--mr', ref, '--pick-mode', 'sideways'], { cwd: w.dir, env: w.env });
    expect(bad.code).toBe(64);

    const first = await runCli(['promote', '--mr', ref, '--evidence', 'mr.json', '--json'], { cwd: w.dir, env: w.env });
    expect(first.code).toBe(5);
    const doc = JSON.parse(first.stdout) as { targets: { reason: string; instruction: string }[] };
    expect(doc.targets[0]).toMatchObject({ reason: 'awaiting-human' });
    const iid = Number(/merge_requests\/(\d+): it needs/.exec(doc.targets[0]!.instruction)?.[1]);
    expect(iid).toBeGreaterThan(0);

    const again = await runCli(['promote', '--mr', ref, '--evidence', 'mr.json'], { cwd: w.dir, env: w.env });
    expect(again.code).toBe(5);
    expect(again.stdout).toContain(`✗ ${MR.project}: pending (awaiting-human)`);
    const mrs = (await w.api('GET', `/projects/${enc}/merge_requests?state=all&target_branch=release`)) as {
      iid: number;
      source_branch: string;
    }[];
    expect(mrs.filter((m) => m.source_branch.startsWith('hotfix-release/pick/'))).toHaveLength(1);

    expect(await call('POST', `/projects/${enc}/merge_requests/${iid}/approve`, demo.users.maintainer.token)).toBe(201);
    const done = await runCli(['resume', join(w.dir, 'mr.journal.json')], { cwd: w.dir, env: w.env });
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`✓ ${MR.project}: promoted`);
    const bundle = JSON.parse(await readFile(join(w.dir, 'mr.json'), 'utf8')) as {
      targets: { releaseMergeRequest?: { iid: number; state: string; approvals: { approvedBy: string[] } } }[];
    };
    expect(bundle.targets[0]?.releaseMergeRequest).toMatchObject({
      iid,
      state: 'merged',
      approvals: { approvedBy: [demo.users.maintainer.username] },
    });
  });
});
