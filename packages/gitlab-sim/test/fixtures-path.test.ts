import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir } from './fixtures-path.js';

describe(fixtureDir.name, () => {
  it('finds the GitLab API schemas inside the repository', () => {
    expect(fixtureDir('gitlab/api-schemas', 'public_api/v4/job.json')).toMatch(/fixtures\/gitlab\/api-schemas\/$/);
  });

  it('throws, naming the missing file, when a fixture group is absent (a contract suite fails, never skips)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-fixtures-'));
    try {
      expect(() => fixtureDir('gitlab/api-schemas', 'public_api/v4/job.json', empty)).toThrow(
        /gitlab\/api-schemas\/public_api\/v4\/job\.json is missing/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
