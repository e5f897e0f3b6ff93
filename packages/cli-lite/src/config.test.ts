import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';
import { loadSettings } from './config.js';
import { ProblemError } from './problem.js';

let dir: string;
// HOME is the test folder, so the upward search stops there and no real user configuration is read.
const deps = (env: Record<string, string>, cwd = dir) => ({
  stdout: () => {},
  stderr: () => {},
  env: { HOME: dir, ...env },
  cwd,
});
const flags = (...argv: string[]) => parseCommand(argv, { mr: { type: 'string' } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-config-'));
  await writeFile(join(dir, 'hotfix.config.json'), JSON.stringify({ gitlab: { url: 'https://file.example.com' } }));
  await mkdir(join(dir, 'a/b'), { recursive: true });
  await mkdir(join(dir, 'none/.git'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadSettings', () => {
  it('finds hotfix.config.json upward; the host comes from the flag, then GITLAB_URL, then CI_SERVER_URL', () => {
    const nested = join(dir, 'a/b');
    const env = { GITLAB_URL: 'https://file.example.com' };
    expect(loadSettings(deps(env, nested), flags())).toMatchObject({
      file: join(dir, 'hotfix.config.json'),
      gitlabUrl: 'https://file.example.com',
    });
    expect(loadSettings(deps({ CI_SERVER_URL: 'https://file.example.com/' }, nested), flags()).gitlabUrl).toBe(
      'https://file.example.com/',
    );
    const none = join(dir, 'none');
    expect(
      loadSettings(
        deps({ GITLAB_URL: 'https://env.example.com', CI_SERVER_URL: 'https://ci.example.com' }, none),
        flags(),
      ).gitlabUrl,
    ).toBe('https://env.example.com');
    expect(
      loadSettings(
        deps({ GITLAB_URL: 'https://env.example.com' }, none),
        flags('--gitlab-url', 'https://flag.example.com'),
      ).gitlabUrl,
    ).toBe('https://flag.example.com');
  });

  it('returns invalid-config (exit 3) naming both hosts when a project file names another host than the chosen one', () => {
    const nested = join(dir, 'a/b');
    for (const env of [{ GITLAB_URL: 'https://env.example.com' }, {}]) {
      try {
        loadSettings(deps({ ...env, GITLAB_TOKEN: 'glpat-secret' }, nested), flags());
        expect.unreachable();
      } catch (e) {
        const p = (e as ProblemError).problem;
        expect(p).toMatchObject({ code: 'invalid-config', exitCode: 3, details: { pointer: '/gitlab/url' } });
        expect(p.detail).toContain('https://file.example.com');
        if ('GITLAB_URL' in env) expect(p.detail).toContain('https://env.example.com');
        expect(JSON.stringify(p)).not.toContain('glpat-secret');
      }
    }
  });

  it('takes the host from the user-level configuration, which a project file may only repeat', async () => {
    const xdg = join(dir, 'xdg');
    await mkdir(join(xdg, 'hotfix'), { recursive: true });
    await writeFile(join(xdg, 'hotfix/config.json'), JSON.stringify({ gitlab: { url: 'https://file.example.com' } }));
    expect(loadSettings(deps({ XDG_CONFIG_HOME: xdg }, join(dir, 'a/b')), flags()).gitlabUrl).toBe(
      'https://file.example.com',
    );
    await writeFile(join(xdg, 'hotfix/config.json'), JSON.stringify({ gitlab: { url: 'https://mine.example.com' } }));
    expect(() => loadSettings(deps({ XDG_CONFIG_HOME: xdg }, join(dir, 'a/b')), flags())).toThrow(
      /names the GitLab host https:\/\/file\.example\.com, but you chose https:\/\/mine\.example\.com/,
    );
  });

  it('stops the upward search at the repository root and at $HOME', async () => {
    const repo = join(dir, 'a/repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'src'), { recursive: true });
    expect(loadSettings(deps({}, join(repo, 'src')), flags()).file).toBeUndefined();
    expect(loadSettings(deps({ HOME: join(dir, 'a') }, join(dir, 'a/b')), flags()).file).toBeUndefined();
    expect(
      loadSettings(deps({ HOME: join(dir, 'a'), GITLAB_URL: 'https://file.example.com' }, dir), flags()).file,
    ).toBe(join(dir, 'hotfix.config.json'));
  });

  it('returns invalid-config (exit 3) for a URL with a user name or password, without echoing it', () => {
    const none = join(dir, 'none');
    for (const [env, argv] of [
      [{ GITLAB_URL: 'https://user:hunter2@env.example.com' }, []],
      [{}, ['--gitlab-url', 'https://oauth2:hunter2@flag.example.com']],
    ] as const) {
      try {
        loadSettings(deps(env, none), flags(...argv));
        expect.unreachable();
      } catch (e) {
        const p = (e as ProblemError).problem;
        expect(p).toMatchObject({ code: 'invalid-config', exitCode: 3 });
        expect(JSON.stringify(p)).not.toContain('hunter2');
      }
    }
  });

  it('takes the token from GITLAB_TOKEN, else CI_JOB_TOKEN as a job token, and the MR from GitLab CI', () => {
    expect(
      loadSettings(deps({ GITLAB_TOKEN: 'a', CI_JOB_TOKEN: 'b', GITLAB_URL: 'https://file.example.com' }), flags()),
    ).toMatchObject({
      token: 'a',
      tokenKind: 'private',
    });
    const ci = loadSettings(
      deps({
        CI_JOB_TOKEN: 'b',
        CI_PROJECT_PATH: 'evenergi/charging-api',
        CI_MERGE_REQUEST_IID: '42',
        CI_SERVER_URL: 'https://file.example.com',
      }),
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
