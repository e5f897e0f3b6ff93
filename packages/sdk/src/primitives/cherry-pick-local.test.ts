import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FastImport, gitOk, initRepo } from '../../test/support/native-git.js';
import { state } from '../../test/support/scenario.js';
import { cherryPickLocal } from './cherry-pick-local.js';

const committer = { name: 'Hotfix Bot', email: 'bot@example.com', date: '2026-11-30T01:02:03Z' };

/** base → release (edits b) and base → pick (edits a); returns the repo and the pick's id. */
function repo() {
  const dir = initRepo('cherry-pick-local-');
  const fi = new FastImport();
  const base = fi.commit('refs/heads/main', state({ 'a.txt': 'a\n', 'b.txt': 'b\n' }), undefined, 'base');
  fi.commit('refs/heads/release', state({ 'a.txt': 'a\n', 'b.txt': 'b2\n' }), base, 'release work');
  const pick = fi.commit('refs/heads/hotfix', state({ 'a.txt': 'fixed\n', 'b.txt': 'b\n' }), base, 'Fix a\n\nBecause.');
  const marks = fi.run(dir);
  return { dir, gitdir: join(dir, '.git'), pick: marks.get(pick)!, release: marks.get(pick - 1)! };
}

describe(cherryPickLocal.name, () => {
  it('writes a commit with the original author, the committer, the -x trailer and release as parent', async () => {
    const { dir, gitdir, pick, release } = repo();
    const result = await cherryPickLocal({ gitdir, ref: 'release', commit: pick, committer });
    const value = result._unsafeUnwrap();
    expect(value.kind).toBe('clean');
    if (value.kind !== 'clean') return;
    expect(value.head).toBe(release);
    expect(value.refUpdated).toBe(false);
    expect(gitOk(dir, ['rev-parse', 'release']).trim()).toBe(release);
    const raw = gitOk(dir, ['cat-file', 'commit', value.commit]);
    expect(raw).toContain(`parent ${release}\n`);
    expect(raw).toContain('author Gen <gen@example.com>');
    expect(raw).toContain(`committer Hotfix Bot <bot@example.com> ${Date.parse(committer.date) / 1000} +0000`);
    expect(raw.endsWith(`Fix a\n\nBecause.\n\n(cherry picked from commit ${pick})\n`)).toBe(true);
    expect(gitOk(dir, ['show', `${value.commit}:a.txt`])).toBe('fixed\n');
    expect(gitOk(dir, ['show', `${value.commit}:b.txt`])).toBe('b2\n');
    expect(gitOk(dir, ['fsck', '--strict', '--no-dangling'])).toBe('');
    expect(value.stats.objectsWritten).toBeGreaterThan(0);
  });

  it('moves the ref with updateRef, and omits the trailer when appendTrailer is false', async () => {
    const { dir, gitdir, pick } = repo();
    const value = (
      await cherryPickLocal({
        gitdir,
        ref: 'refs/heads/release',
        commit: pick,
        committer,
        appendTrailer: false,
        updateRef: true,
      })
    )._unsafeUnwrap();
    expect(value.kind === 'clean' && value.refUpdated).toBe(true);
    if (value.kind !== 'clean') return;
    expect(gitOk(dir, ['rev-parse', 'release']).trim()).toBe(value.commit);
    expect(gitOk(dir, ['log', '-1', '--format=%B', 'release'])).toBe('Fix a\n\nBecause.\n\n');
  });

  it('works on a bare repository without a working tree', async () => {
    const { dir, pick } = repo();
    const bare = `${dir}-bare.git`;
    gitOk(dir, ['clone', '-q', '--bare', dir, bare]);
    const value = (
      await cherryPickLocal({ gitdir: bare, ref: 'release', commit: pick, committer, updateRef: true })
    )._unsafeUnwrap();
    expect(value.kind).toBe('clean');
  });

  it('returns empty when release already holds the change', async () => {
    const { gitdir, pick } = repo();
    const first = (
      await cherryPickLocal({ gitdir, ref: 'release', commit: pick, committer, updateRef: true })
    )._unsafeUnwrap();
    expect(first.kind).toBe('clean');
    const again = (await cherryPickLocal({ gitdir, ref: 'release', commit: pick, committer }))._unsafeUnwrap();
    expect(again.kind).toBe('empty');
  });

  it('returns invalid-input naming the field when an option is wrong', async () => {
    const { gitdir, pick } = repo();
    const noEmail = await cherryPickLocal({ gitdir, ref: 'release', commit: pick, committer: { name: 'x' } as never });
    expect(noEmail._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-input',
      details: { pointer: '/committer/email' },
    });
    const badCommit = await cherryPickLocal({ gitdir, ref: 'release', commit: 'not-a-sha', committer });
    expect(badCommit._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/commit' } });
  });

  it('returns invalid-input for mainline on a commit that is not a merge', async () => {
    const { gitdir, pick } = repo();
    const result = await cherryPickLocal({ gitdir, ref: 'release', commit: pick, committer, mainline: 1 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/mainline' } });
  });

  it('returns a git error for a missing ref, without throwing', async () => {
    const { gitdir, pick } = repo();
    const result = await cherryPickLocal({ gitdir, ref: 'no-such-branch', commit: pick, committer });
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'git', details: { operation: 'resolve-ref' } });
  });

  it('reads only the trees along the changed paths, not the whole repository', async () => {
    const dir = initRepo('cherry-pick-local-');
    const files: Record<string, string> = {};
    for (let d = 0; d < 40; d++) for (let f = 0; f < 50; f++) files[`dir${d}/sub/file${f}.txt`] = `${d}/${f}\n`;
    const fi = new FastImport();
    const base = fi.commit('refs/heads/main', state(files), undefined, 'base');
    fi.commit('refs/heads/release', state({ ...files, 'dir1/sub/file1.txt': 'release\n' }), base, 'release');
    const pick = fi.commit('refs/heads/hotfix', state({ ...files, 'dir7/sub/file3.txt': 'fixed\n' }), base, 'fix');
    const sha = fi.run(dir).get(pick)!;
    const value = (
      await cherryPickLocal({ gitdir: join(dir, '.git'), ref: 'release', commit: sha, committer })
    )._unsafeUnwrap();
    expect(value.kind).toBe('clean');
    // 2,000 files in 80 directories; the pick needs the 3 commits and about 3 trees per side.
    expect(value.stats.objectsRead).toBeLessThan(20);
    expect(value.stats.objectsWritten).toBeLessThanOrEqual(4);
  });
});
