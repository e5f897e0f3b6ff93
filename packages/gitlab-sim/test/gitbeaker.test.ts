import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarioInfo as demo } from '../src/scenarios/demo.js';
import type { GitLabSim } from '../src/server.js';
import { type Json, startDemo } from './helpers.js';

/** The simulator driven by an off-the-shelf client we do not write: @gitbeaker/rest 43.8.0. */
describe('gitlab-sim with @gitbeaker/rest', () => {
  let sim: GitLabSim;
  let api: InstanceType<typeof Gitlab>;
  const { cleanPick, fastForward, squashMerged, open } = demo.mergeRequests;
  beforeAll(async () => {
    sim = await startDemo();
    api = new Gitlab({ host: sim.url, token: sim.token });
  });
  afterAll(() => sim.close());

  it('reads merge requests as GitLab does for each merge method', async () => {
    const merged = await api.MergeRequests.show(cleanPick.project, cleanPick.iid);
    expect(merged.state).toBe('merged');
    expect(merged.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    const ff = await api.MergeRequests.show(fastForward.project, fastForward.iid);
    expect([ff.merge_commit_sha, ff.squash_commit_sha]).toEqual([null, null]);
    const main = await api.Branches.show(fastForward.project, 'main');
    expect(main.commit.id).toBe(ff.sha);
    const commits = await api.MergeRequests.allCommits(fastForward.project, fastForward.iid);
    expect(commits.map((c) => c.title)).toEqual(['Round VAT per line', 'Extract VAT helper']);
    const squashed = await api.MergeRequests.show(squashMerged.project, squashMerged.iid);
    expect(squashed.squash_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    const wrap = (await api.Commits.show(squashMerged.project, squashed.merge_commit_sha as string)) as Json;
    expect(wrap.parent_ids[1]).toBe(squashed.squash_commit_sha);
    const listed = await api.MergeRequests.all({ projectId: open.project, state: 'opened' });
    expect(listed.map((m) => m.iid)).toEqual([open.iid]);
  });

  it('cherry-picks (dry run, then for real), compares and auto-paginates commits', async () => {
    const mr = await api.MergeRequests.show(cleanPick.project, cleanPick.iid);
    const sha = mr.merge_commit_sha as string;
    const dry = (await api.Commits.cherryPick(cleanPick.project, sha, 'release', { dryRun: true })) as unknown;
    expect(dry).toEqual({ dry_run: 'success' });
    const before = await api.Branches.show(cleanPick.project, 'release');
    const picked = await api.Commits.cherryPick(cleanPick.project, sha, 'release');
    expect(picked.message).toContain(`(cherry picked from commit ${sha})`);
    const cmp = (await api.Repositories.compare(cleanPick.project, before.commit.id as string, 'release', {
      straight: true,
    })) as Json;
    expect(cmp.commits.map((c: Json) => c.id)).toEqual([picked.id]);
    expect(cmp.diffs.map((d: Json) => d.new_path)).toEqual(['src/core.ts']);
    const all = await api.Commits.all(cleanPick.project, { refName: 'release', perPage: 2 });
    expect(all.length).toBeGreaterThan(3);
    expect(all[0]?.id).toBe(picked.id);
    const again = await api.Commits.cherryPick(cleanPick.project, sha, 'release').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(GitbeakerRequestError);
    expect((again as GitbeakerRequestError).cause?.response.status).toBe(400);
  });

  it('labels an MR with add_labels (auto-creating the label) and via a /label quick action', async () => {
    const edited = await api.MergeRequests.edit(cleanPick.project, cleanPick.iid, { addLabels: 'Brand new label' });
    expect(edited.labels).toContain('Brand new label');
    const labels = await api.ProjectLabels.all(cleanPick.project);
    expect(labels.map((l) => l.name)).toContain('Brand new label');
    const note = (await api.MergeRequestNotes.create(
      cleanPick.project,
      cleanPick.iid,
      `/label ~"${demo.validatedLabel}"`,
    )) as Json;
    expect(note.summary).toEqual([`Added ~"${demo.validatedLabel}" label.`]);
    const after = await api.MergeRequests.show(cleanPick.project, cleanPick.iid);
    expect(after.labels).toContain(demo.validatedLabel);
    const approvals = await api.MergeRequestApprovals.showConfiguration(cleanPick.project, {
      mergerequestIId: cleanPick.iid,
    });
    expect((approvals as Json).approved_by.map((a: Json) => a.user.username)).toEqual(['bob']);
  });

  it('creates a project, commits with actions, opens and merges an MR, and protects a branch', async () => {
    const project = await api.Projects.create({ name: 'gb-playground', initializeWithReadme: true });
    expect(project.path_with_namespace).toBe('root/gb-playground');
    const readme = await api.RepositoryFiles.show(project.id, 'README.md', 'main');
    expect(Buffer.from(readme.content, 'base64').toString()).toBe('# gb-playground\n');
    await api.Branches.create(project.id, 'feature', 'main');
    await api.Commits.create(project.id, 'feature', 'Add app', [
      { action: 'create', filePath: 'src/app.ts', content: 'export {};\n' },
    ]);
    const tree = await api.Repositories.allRepositoryTrees(project.id, { ref: 'feature', recursive: true });
    expect(tree.map((t) => t.path).sort()).toEqual(['README.md', 'src', 'src/app.ts']);
    const mr = await api.MergeRequests.create(project.id, 'feature', 'main', 'Add the app');
    const merged = await api.MergeRequests.merge(project.id, mr.iid);
    expect(merged.state).toBe('merged');
    expect(merged.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    await api.ProtectedBranches.protect(project.id, 'feature', { pushAccessLevel: 40 });
    const branch = await api.Branches.show(project.id, 'feature');
    expect(branch.protected).toBe(true);
    await api.ProtectedBranches.unprotect(project.id, 'feature');
    await api.Branches.remove(project.id, 'feature');
    const gone = await api.Branches.show(project.id, 'feature').catch((e: unknown) => e);
    expect((gone as GitbeakerRequestError).cause?.description).toBe('404 Branch Not Found');
  });
});
