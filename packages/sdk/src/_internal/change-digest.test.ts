import { describe, expect, it } from 'vitest';
import { changeDigest, changeDigestOfContents, changeShape } from './change-digest.js';

describe('changeDigest', () => {
  it('ignores context and hunk positions but not the changed lines', () => {
    const a = '@@ -1,3 +1,3 @@\n ctx1\n-old\n+new\n ctx2\n';
    const b = '@@ -40,3 +40,3 @@\n other\n-old\n+new\n context\n';
    const c = '@@ -1,3 +1,3 @@\n ctx1\n-old\n+newer\n ctx2\n';
    expect(changeDigest(a)).toBe(changeDigest(b));
    expect(changeDigest(a)).not.toBe(changeDigest(c));
  });

  it('keeps whitespace: a re-indented or re-spaced changed line is a different change', () => {
    const a = '@@ -1 +1 @@\n-a: 1\n+a: 2\n';
    expect(changeDigest(a)).not.toBe(changeDigest('@@ -1 +1 @@\n-a: 1\n+  a: 2\n'));
    expect(changeDigest(a)).not.toBe(changeDigest('@@ -1 +1 @@\n-a: 1\n+a:\t2\n'));
    expect(changeDigest(a)).not.toBe(changeDigest('@@ -1 +1 @@\n-a: 1\n+a: 2\r\n'));
  });

  it('reads a removed line starting with dashes as a change, not as a file header', () => {
    const a = '@@ -1 +1 @@\n--- comment\n+++ comment\n';
    expect(changeDigest(a)).not.toBe(changeDigest('@@ -1 +1 @@\n--- other\n+++ comment\n'));
  });

  it('gives the same digest from the two versions of a file as from its diff text', () => {
    const before = 'one\ntwo\nthree\nfour\n';
    const after = 'one\n  two\nthree\nfour\nfive';
    const diff = '@@ -1,4 +1,5 @@\n one\n-two\n+  two\n three\n four\n+five\n\\ No newline at end of file\n';
    expect(changeDigestOfContents(before, after)).toBe(changeDigest(diff));
    expect(changeDigestOfContents(before, `${after}\n`)).not.toBe(changeDigest(diff));
  });

  it('names mode changes, renames and deletions in the shape of a change', () => {
    const base = { old_path: 'a', new_path: 'a', deleted_file: false, renamed_file: false };
    expect(changeShape({ ...base, a_mode: '100644', b_mode: '100755' })).toMatch(/mode:100644>100755/);
    expect(changeShape({ ...base, old_path: 'x', new_path: 'y', renamed_file: true })).toMatch(/rename:x>y/);
    expect(changeShape({ ...base, deleted_file: true })).toMatch(/deleted/);
  });
});

describe('trailerShas', () => {
  it('reads both spellings GitLab has used for the cherry-pick trailer', async () => {
    const { trailerShas, hasTrailerFor } = await import('./release-scan.js');
    const sha = 'a'.repeat(40);
    expect(trailerShas(`fix\n\n(cherry picked from commit ${sha})`)).toEqual([sha]);
    expect(trailerShas(`fix\n\n(cherry-picked from commit ${sha})`)).toEqual([sha]);
    expect(hasTrailerFor(`(cherry picked from commit ${sha.slice(0, 12)})`, sha)).toBe(true);
    expect(hasTrailerFor('no trailer', sha)).toBe(false);
  });
});
