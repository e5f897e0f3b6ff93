import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FastImport, gitOk, initRepo } from '../../test/support/native-git.js';
import { state } from '../../test/support/scenario.js';
import { revertLocal } from './revert-local.js';

const committer = { name: 'Hotfix Bot', email: 'bot@example.com', date: '2026-11-30T01:02:03Z' };

describe(revertLocal.name, () => {
  it('reverts a commit with git message and the committer as author, leaving the ref alone', async () => {
    const dir = initRepo('revert-local-');
    const fi = new FastImport();
    const base = fi.commit('refs/heads/release', state({ 'a.txt': 'a\n', 'b.txt': 'b\n' }), undefined, 'base');
    const fix = fi.commit('refs/heads/release', state({ 'a.txt': 'fixed\n', 'b.txt': 'b\n' }), base, 'Fix a\n\nBody.');
    fi.commit('refs/heads/release', state({ 'a.txt': 'fixed\n', 'b.txt': 'b2\n' }), fix, 'later');
    const marks = fi.run(dir);
    const sha = marks.get(fix)!;
    const value = (
      await revertLocal({ gitdir: join(dir, '.git'), ref: 'release', commit: sha, committer })
    )._unsafeUnwrap();
    expect(value.kind).toBe('clean');
    if (value.kind !== 'clean') return;
    expect(gitOk(dir, ['show', `${value.commit}:a.txt`])).toBe('a\n');
    expect(gitOk(dir, ['show', `${value.commit}:b.txt`])).toBe('b2\n');
    expect(gitOk(dir, ['log', '-1', '--format=%an|%cn|%B', value.commit])).toBe(
      `Hotfix Bot|Hotfix Bot|Revert "Fix a"\n\nThis reverts commit ${sha}.\n\n`,
    );
    expect(gitOk(dir, ['rev-parse', 'release']).trim()).toBe(marks.get(fix + 1));
  });

  it('requires mainline to revert a merge commit', async () => {
    const dir = initRepo('revert-local-');
    const fi = new FastImport();
    const base = fi.commit('refs/heads/release', state({ 'a.txt': 'a\n' }), undefined, 'base');
    const side = fi.commit('refs/heads/side', state({ 'a.txt': 'a\n', 's.txt': 's\n' }), base, 'side');
    const merge = fi.commit('refs/heads/release', state({ 'a.txt': 'a\n', 's.txt': 's\n' }), base, 'merge', [side]);
    const sha = fi.run(dir).get(merge)!;
    const gitdir = join(dir, '.git');
    const missing = await revertLocal({ gitdir, ref: 'release', commit: sha, committer });
    expect(missing._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/mainline' } });
    const value = (await revertLocal({ gitdir, ref: 'release', commit: sha, committer, mainline: 1 }))._unsafeUnwrap();
    expect(value.kind).toBe('clean');
    if (value.kind !== 'clean') return;
    expect(gitOk(dir, ['ls-tree', '--name-only', value.commit])).toBe('a.txt\n');
    expect(gitOk(dir, ['log', '-1', '--format=%B', value.commit])).toContain(`, reversing\nchanges made to `);
  });
});
