import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../src/_internal/git.js';
import { createScenarioBuilder, type ScenarioBuilder } from '../src/scenarios/builder.js';
import { type GitLabSim, startGitLabSim } from '../src/server.js';
import { enc, type TestApi, testApi } from './helpers.js';

const lines = (edits: Record<number, string>) =>
  `${Array.from({ length: 8 }, (_, i) => edits[i] ?? `line ${i}`).join('\n')}\n`;

/** Property: the REST cherry-pick agrees with `git cherry-pick` in a plain clone (git is the oracle). */
describe('cherry_pick against native git as the oracle', () => {
  let sim: GitLabSim;
  let api: TestApi;
  let b: ScenarioBuilder;
  let work: string;
  let n = 0;
  beforeAll(async () => {
    sim = await startGitLabSim();
    api = testApi(sim);
    b = createScenarioBuilder({ state: sim.state, root: sim.root, adminId: 1 });
    work = await mkdtemp(join(tmpdir(), 'sim-oracle-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('gives the same outcome (applied tree, conflict or empty) as git', async () => {
    const edit = fc.record({ line: fc.integer({ min: 0, max: 7 }), text: fc.constantFrom('a', 'b', 'line 3') });
    await fc.assert(
      fc.asyncProperty(edit, edit, fc.boolean(), async (onMain, picked, alsoOnRelease) => {
        const path = `oracle/p${++n}`;
        const p = await b.project(path, { files: { 'f.txt': lines({}) } });
        await p.branch('rel', 'main');
        await p.commit('main', { 'f.txt': lines({ [onMain.line]: onMain.text }) }, 'main edit\n');
        const sha = await p.commit(
          'feat',
          { 'f.txt': lines({ [onMain.line]: onMain.text, [picked.line]: picked.text }) },
          'feature edit\n',
        );
        if (alsoOnRelease) {
          await p.commit('rel', { 'f.txt': lines({ [picked.line]: picked.text }) }, 'same change on rel\n');
        }
        const before = (await api.get(`/projects/${enc(path)}/repository/branches/rel`)).commit.id;
        const rest = await api.call('POST', `/projects/${enc(path)}/repository/commits/${sha}/cherry_pick`, {
          branch: 'rel',
        });
        const dir = join(work, `c${n}`);
        const url = new URL(`${sim.url}/${path}.git`);
        url.username = 'oauth2';
        url.password = sim.token;
        await runGit(['clone', '-q', url.toString(), dir], { cwd: work });
        // The oracle starts where the REST pick started (rel has moved since).
        await runGit(['checkout', '-q', before], { cwd: dir });
        const pick = await runGit(['cherry-pick', '-x', sha], { cwd: dir });
        const unmerged = (await runGit(['ls-files', '-u'], { cwd: dir })).stdout.length > 0;
        const oracle = pick.code === 0 ? 'applied' : unmerged ? 'conflict' : 'empty';

        const outcome = rest.status === 201 ? 'applied' : rest.body.error_code;
        expect(outcome).toBe(oracle);
        if (oracle === 'applied') {
          await runGit(['fetch', '-q', 'origin'], { cwd: dir });
          const tree = async (rev: string) =>
            (await runGit(['rev-parse', `${rev}^{tree}`], { cwd: dir })).stdout.toString().trim();
          expect(await tree(rest.body.id)).toBe(await tree('HEAD'));
          expect(rest.body.parent_ids).toEqual([before]);
        }
      }),
      { numRuns: 6 },
    );
  });
});
