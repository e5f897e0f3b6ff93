import { describe, expect, it } from 'vitest';
import { changeDigest, changeDigestsByPath } from './change-digest.js';

describe('changeDigest', () => {
  it('ignores context and hunk positions but not the changed lines', () => {
    const a = '@@ -1,3 +1,3 @@\n ctx1\n-old\n+new\n ctx2\n';
    const b = '@@ -40,3 +40,3 @@\n other\n-old\n+new\n context\n';
    const c = '@@ -1,3 +1,3 @@\n ctx1\n-old\n+newer\n ctx2\n';
    expect(changeDigest(a)).toBe(changeDigest(b));
    expect(changeDigest(a)).not.toBe(changeDigest(c));
  });

  it('keys by path and marks mode changes, renames and deletions', () => {
    const m = changeDigestsByPath([
      {
        old_path: 'a',
        new_path: 'a',
        diff: '',
        deleted_file: false,
        renamed_file: false,
        a_mode: '100644',
        b_mode: '100755',
      },
      { old_path: 'x', new_path: 'y', diff: '', deleted_file: false, renamed_file: true },
      { old_path: 'gone', new_path: 'gone', diff: '-x\n', deleted_file: true, renamed_file: false },
    ]);
    expect(m.get('a')).toMatch(/mode:100644>100755/);
    expect(m.get('y')).toMatch(/rename:x>y/);
    expect(m.get('gone')).toMatch(/deleted/);
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
