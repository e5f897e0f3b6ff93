import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from './git.js';
import { commitFiles, initBareRepo } from './repo.js';

describe('commitFiles', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes commits on a bare repository with adds, modes, deletes and a CAS ref update', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repo-test-'));
    dirs.push(dir);
    await initBareRepo(dir, 'main');
    const first = await commitFiles(dir, {
      branch: 'main',
      changes: [
        { path: 'a.txt', content: 'a\n' },
        { path: 'bin/run.sh', content: '#!/bin/sh\n', mode: '100755' },
        { path: 'img.bin', content: Buffer.from([0, 1, 2, 255]) },
      ],
      message: 'first\n',
      author: { name: 'Ann', email: 'ann@x', date: '2026-01-02T03:04:05Z' },
    });
    const second = await commitFiles(dir, {
      branch: 'main',
      changes: [{ path: 'a.txt', content: null }],
      message: 'rm a',
    });
    expect(await git(['rev-parse', 'refs/heads/main'], { cwd: dir })).toBe(second);
    expect(await git(['rev-parse', `${second}^`], { cwd: dir })).toBe(first);
    expect(await git(['ls-tree', '-r', '--format=%(objectmode) %(path)', second], { cwd: dir })).toBe(
      '100755 bin/run.sh\n100644 img.bin',
    );
    expect(await git(['log', '-1', '--format=%an %aI', first], { cwd: dir })).toBe('Ann 2026-01-02T03:04:05+00:00');
    await expect(
      commitFiles(dir, { branch: 'main', parent: first, changes: [], message: 'stale parent' }),
    ).rejects.toThrow(/update-ref/);
  });
});
