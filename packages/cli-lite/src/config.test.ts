import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';
import { loadSettings } from './config.js';
import { ProblemError } from './problem.js';

let dir: string;
const deps = (env: Record<string, string>, cwd = dir) => ({ stdout: () => {}, stderr: () => {}, env, cwd });
const flags = (...argv: string[]) => parseCommand(argv, { mr: { type: 'string' } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-config-'));
  await writeFile(join(dir, 'hotfix.config.json'), JSON.stringify({ gitlab: { url: 'https://file.example.com' } }));
  await mkdir(join(dir, 'a/b'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadSettings', () => {
  it('finds hotfix.config.json upward, then lets the environment and then flags win', () => {
    const nested = join(dir, 'a/b');
    expect(loadSettings(deps({}, nested), flags())).toMatchObject({
      file: join(dir, 'hotfix.config.json'),
      gitlabUrl: 'https://file.example.com',
    });
    expect(loadSettings(deps({ CI_SERVER_URL: 'https://ci.example.com' }, nested), flags()).gitlabUrl).toBe(
      'https://ci.example.com',
    );
    expect(
      loadSettings(deps({ GITLAB_URL: 'https://env.example.com', CI_SERVER_URL: 'https://ci.example.com' }), flags())
        .gitlabUrl,
    ).toBe('https://env.example.com');
    expect(
      loadSettings(deps({ GITLAB_URL: 'https://env.example.com' }), flags('--gitlab-url', 'https://flag.example.com'))
        .gitlabUrl,
    ).toBe('https://flag.example.com');
  });

  it('takes the token from GITLAB_TOKEN, else CI_JOB_TOKEN as a job token, and the MR from GitLab CI', () => {
    expect(loadSettings(deps({ GITLAB_TOKEN: 'a', CI_JOB_TOKEN: 'b' }), flags())).toMatchObject({
      token: 'a',
      tokenKind: 'private',
    });
    const ci = loadSettings(
      deps({ CI_JOB_TOKEN: 'b', CI_PROJECT_PATH: 'evenergi/charging-api', CI_MERGE_REQUEST_IID: '42' }),
      flags(),
    );
    expect(ci).toMatchObject({ token: 'b', tokenKind: 'job', ciMr: { project: 'evenergi/charging-api', iid: 42 } });
  });

  it('names the file and the field of a bad config', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ wait: { maxWaitMs: -1 } }));
    try {
      loadSettings(deps({}), flags('--config', 'bad.json'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemError);
      const p = (e as ProblemError).problem;
      expect(p).toMatchObject({
        code: 'invalid-config',
        exitCode: 3,
        details: { pointer: '/wait/maxWaitMs' },
        file: join(dir, 'bad.json'),
      });
      expect(p.detail).toMatch(/bad\.json: \/wait\/maxWaitMs: /);
    }
    expect(() => loadSettings(deps({}), flags('--config', 'missing.json'))).toThrow(/missing\.json: file not found/);
  });
});
