import { describe, expect, it } from 'vitest';
import { cherryPickBenchmark } from './cherry-pick.js';

describe('pnpm bench cherry-pick (a small run, so the bench itself cannot rot)', () => {
  it('runs ours and native-best in a server process of its own, with the same tree, and reports the server push', async () => {
    const out = await cherryPickBenchmark.run([
      '--sizes',
      '400',
      '--runs',
      '1',
      '--warmup',
      '0',
      '--link',
      'loopback',
      '--contestants',
      'ours,native-best',
    ]);
    expect(out.rows.map((r) => r.contestant)).toEqual(['ours', 'native-best']);
    for (const row of out.rows) {
      expect(row).toMatchObject({ link: 'loopback', files: 402 });
      expect(row['push: server ms']).toBeGreaterThan(0);
      expect(row['median ms without the server push']).toBeLessThan(row['median ms'] as number);
    }
    const [ours, best] = out.rows;
    // Ours: the sparse store's reads, one GraphQL blobs query, the push and its advertisement, the verify.
    expect(ours).toMatchObject({ 'objects sent': 5, 'vs best native': expect.any(Number) });
    expect(ours?.requests).toBeLessThan(30);
    expect(best?.['vs best native']).toBe(1);
  }, 120_000);

  it('refuses an unknown contestant before starting anything', async () => {
    await expect(cherryPickBenchmark.run(['--contestants', 'ours,svn'])).rejects.toThrow(/unknown svn/);
  });
});
