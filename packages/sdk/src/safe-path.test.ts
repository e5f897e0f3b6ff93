import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepoName, checkRepoPath, UnsafeWriteError, writeFileInside } from './safe-path.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safe-path-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Whether native git's verify_path (with core.protectNTFS, its default) accepts `name` into the index. */
function gitAccepts(repo: string, name: string): boolean {
  try {
    execFileSync(
      'git',
      ['update-index', '--add', '--cacheinfo', `100644,e69de29bb2d1d6434b8b29ae775ad8c2e48c5391,${name}`],
      { cwd: repo, stdio: 'ignore' },
    );
    return true;
  } catch {
    return false;
  }
}

describe(checkRepoName.name, () => {
  it('refuses every name native git refuses (git is the oracle), and accepts ordinary names', () => {
    const repo = join(dir, 'oracle');
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('git', ['config', 'core.protectNTFS', 'true'], { cwd: repo });
    const names = [
      '..',
      '.',
      '.git',
      '.GIT',
      '.Git',
      '.git.',
      '.git ',
      '.git . .',
      'git~1',
      'GIT~1',
      '.git::$INDEX_ALLOCATION',
      '.git:stream',
      'ok.ts',
      'tariff.ts',
      '.gitmodules',
      '.gitignore',
      'git~2',
      '.git~1',
      'README',
      'ünïcode.md',
    ];
    for (const name of names) {
      const git = gitAccepts(repo, name);
      const ours = checkRepoName(name) === undefined;
      if (!git) expect({ name, ours }).toEqual({ name, ours: false });
      if (['ok.ts', 'tariff.ts', '.gitmodules', '.gitignore', 'README', 'ünïcode.md'].includes(name)) {
        expect({ name, git, ours }).toEqual({ name, git: true, ours: true });
      }
    }
  });

  it('returns a reason for names we refuse beyond git: control characters, HFS+ .git, U+FFFD, NUL, slash', () => {
    expect(checkRepoName('a\u0001b')).toBe('control-character');
    expect(checkRepoName('evil\u001b[31m')).toBe('control-character');
    expect(checkRepoName('.g\u200cit')).toBe('git-dir');
    expect(checkRepoName('bad\ufffd')).toBe('not-utf8');
    expect(checkRepoName('a\u0000b')).toBe('nul');
    expect(checkRepoName('a/b')).toBe('slash');
    expect(checkRepoName('a\\b')).toBe('slash');
    expect(checkRepoName('')).toBe('empty');
  });
});

describe(checkRepoPath.name, () => {
  it('names the first unsafe component of a path', () => {
    expect(checkRepoPath('src/tariff.ts')).toBeUndefined();
    expect(checkRepoPath('src/../x')).toEqual({ reason: 'dot-dot', component: '..' });
    expect(checkRepoPath('/etc/passwd')).toMatchObject({ reason: 'absolute' });
    expect(checkRepoPath('a//b')).toEqual({ reason: 'empty', component: '' });
    expect(checkRepoPath('.GIT/hooks/post-checkout')).toEqual({ reason: 'git-dir', component: '.GIT' });
  });
});

describe(writeFileInside.name, () => {
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(UnsafeWriteError);
      return (e as UnsafeWriteError).reason;
    }
    return 'written';
  };

  it('writes inside, creating folders, and never overwrites unless asked', async () => {
    const root = join(dir, 'w1');
    await writeFileInside(root, 'a/b/c.txt', 'one');
    expect(await readFile(join(root, 'a/b/c.txt'), 'utf8')).toBe('one');
    expect(await refusal(writeFileInside(root, 'a/b/c.txt', 'two'))).toBe('exists');
    await writeFileInside(root, 'a/b/c.txt', 'three', { replace: true });
    expect(await readFile(join(root, 'a/b/c.txt'), 'utf8')).toBe('three');
    expect(await readdir(join(root, 'a/b'))).toEqual(['c.txt']);
  });

  it('refuses a symlinked parent or a link in the file place, and writes nothing outside', async () => {
    const root = join(dir, 'w2');
    const outside = join(dir, 'outside');
    await mkdir(root, { recursive: true });
    await mkdir(outside, { recursive: true });
    await symlink(outside, join(root, 'src'));
    expect(await refusal(writeFileInside(root, 'src/x.ts', 'pwned'))).toBe('symlink');
    await symlink(join(outside, 'target.txt'), join(root, 'link.txt'));
    expect(await refusal(writeFileInside(root, 'link.txt', 'pwned'))).toBe('symlink');
    expect(await refusal(writeFileInside(root, 'link.txt', 'pwned', { replace: true }))).toBe('symlink');
    await writeFile(join(root, 'file'), 'x');
    expect(await refusal(writeFileInside(root, 'file/y', 'pwned'))).toBe('not-a-directory');
    expect(await refusal(writeFileInside(root, '../escape', 'pwned'))).toBe('dot-dot');
    expect(await refusal(writeFileInside(root, '.git/hooks/pre-commit', 'pwned'))).toBe('git-dir');
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(dir)).not.toContain('escape');
  });
});
