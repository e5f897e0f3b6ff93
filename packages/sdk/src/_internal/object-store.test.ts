import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FastImport, gitOk, initRepo } from '../../test/support/native-git.js';
import { state } from '../../test/support/scenario.js';
import { cherryPickLocal } from '../primitives/cherry-pick-local.js';
import { createGitdirStore } from './object-store.js';

function repo() {
  const dir = initRepo('object-store-');
  const fi = new FastImport();
  const a = fi.commit('refs/heads/release', state({ f: '1\n' }), undefined, 'one');
  const b = fi.commit('refs/heads/other', state({ f: '2\n' }), a, 'two');
  const marks = fi.run(dir);
  return { dir, gitdir: join(dir, '.git'), a: marks.get(a)!, b: marks.get(b)! };
}

describe(createGitdirStore.name, () => {
  it('swaps a ref only from the expected value, under git lock protocol', async () => {
    const { dir, gitdir, a, b } = repo();
    const store = createGitdirStore({ gitdir });
    expect(await store.compareAndSwapRef('refs/heads/release', b, b)).toEqual({ swapped: false, found: a });
    expect(await store.compareAndSwapRef('refs/heads/release', a, b)).toEqual({ swapped: true });
    expect(gitOk(dir, ['rev-parse', 'release']).trim()).toBe(b);
  });

  it('counts objects and bytes read and written', async () => {
    const { gitdir, a } = repo();
    const store = createGitdirStore({ gitdir });
    const commit = await store.readCommit(a);
    await store.readTree(commit.tree);
    const blob = await store.writeBlob(new Uint8Array([1, 2, 3]));
    expect(blob).toMatch(/^[0-9a-f]{40}$/);
    expect(store.stats).toMatchObject({ objectsRead: 2, objectsWritten: 1, bytesWritten: 3 });
  });

  it('makes cherryPickLocal fail, not overwrite, while another writer holds the ref lock', async () => {
    const { dir, gitdir, a, b } = repo();
    writeFileSync(join(gitdir, 'refs', 'heads', 'release.lock'), `${a}\n`);
    const committer = { name: 'T', email: 't@example.com' };
    const result = await cherryPickLocal({ gitdir, ref: 'release', commit: b, committer, updateRef: true });
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'git', details: { operation: 'update-ref' } });
    expect(gitOk(dir, ['rev-parse', 'release']).trim()).toBe(a);
  });
});
