import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITLAB_OPTIONS, parseCommand } from './args.js';
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

  it('takes the token from GITLAB_TOKEN (CI_JOB_TOKEN only with --job-token), and the MR from GitLab CI', () => {
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
      parseCommand(['--job-token'], GITLAB_OPTIONS),
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

describe('GitLab host from glab variables, token kinds and check headers (issue 18)', () => {
  const gl = (...argv: string[]) => parseCommand(argv, { mr: { type: 'string' }, ...GITLAB_OPTIONS });
  const none = () => join(dir, 'none');

  it('reads GITLAB_HOST, GITLAB_URI and GL_HOST as glab does (https when no scheme), after --gitlab-url and GITLAB_URL', () => {
    const host = (env: Record<string, string>, ...argv: string[]) =>
      loadSettings(deps(env, none()), gl(...argv)).gitlabUrl;
    expect(host({ GITLAB_HOST: 'gitlab.example.com' })).toBe('https://gitlab.example.com');
    expect(host({ GITLAB_HOST: 'http://127.0.0.1:8080' })).toBe('http://127.0.0.1:8080');
    expect(host({ GITLAB_URI: 'uri.example.com' })).toBe('https://uri.example.com');
    expect(host({ GL_HOST: 'gl.example.com' })).toBe('https://gl.example.com');
    const all = {
      GITLAB_HOST: 'host.example.com',
      GITLAB_URI: 'uri.example.com',
      GL_HOST: 'gl.example.com',
      CI_SERVER_URL: 'https://ci.example.com',
    };
    expect(host(all)).toBe('https://host.example.com');
    expect(host({ ...all, GITLAB_HOST: '' })).toBe('https://uri.example.com');
    expect(host({ GL_HOST: 'gl.example.com', CI_SERVER_URL: 'https://ci.example.com' })).toBe('https://gl.example.com');
    expect(host({ ...all, GITLAB_URL: 'https://url.example.com' })).toBe('https://url.example.com');
    expect(host({ ...all, GITLAB_URL: 'https://url.example.com' }, '--gitlab-url', 'https://flag.example.com')).toBe(
      'https://flag.example.com',
    );
  });

  it('refuses a GITLAB_HOST with userinfo and keeps the project-file rule for glab variables', () => {
    expect(() => loadSettings(deps({ GITLAB_HOST: 'oauth2:hunter2@gitlab.example.com' }, none()), gl())).toThrow(
      /GITLAB_HOST carries a user name or password/,
    );
    expect(() => loadSettings(deps({ GITLAB_HOST: 'env.example.com' }, join(dir, 'a/b')), gl())).toThrow(
      /names the GitLab host https:\/\/file\.example\.com, but you chose https:\/\/env\.example\.com/,
    );
    expect(loadSettings(deps({ GITLAB_HOST: 'file.example.com' }, join(dir, 'a/b')), gl()).gitlabUrl).toBe(
      'https://file.example.com',
    );
  });

  it('uses CI_JOB_TOKEN only when asked (--job-token or gitlab.tokenKind "job"), never as a fallback', async () => {
    const job = { CI_JOB_TOKEN: 'job-token-value-123' };
    const silent = loadSettings(deps(job, none()), gl());
    expect(silent).toMatchObject({ token: undefined, tokenKind: 'private' });
    expect(silent.tokenMissing).toMatch(/used only when asked \(--job-token\)/);
    expect(loadSettings(deps({ ...job, GITLAB_TOKEN: 'glpat-abcdef' }, none()), gl())).toMatchObject({
      token: 'glpat-abcdef',
      tokenKind: 'private',
    });
    expect(loadSettings(deps({ ...job, GITLAB_TOKEN: 'glpat-abcdef' }, none()), gl('--job-token'))).toMatchObject({
      token: 'job-token-value-123',
      tokenKind: 'job',
    });
    const asked = loadSettings(deps({ GITLAB_TOKEN: 'glpat-abcdef' }, none()), gl('--job-token'));
    expect(asked).toMatchObject({ token: undefined, tokenKind: 'job' });
    expect(asked.tokenMissing).toMatch(/--job-token asks for CI_JOB_TOKEN, which is not set/);
    const xdg = join(dir, 'xdg-kind');
    await mkdir(join(xdg, 'hotfix'), { recursive: true });
    await writeFile(join(xdg, 'hotfix/config.json'), JSON.stringify({ gitlab: { tokenKind: 'job' } }));
    expect(loadSettings(deps({ ...job, XDG_CONFIG_HOME: xdg }, none()), gl())).toMatchObject({ tokenKind: 'job' });
    await writeFile(join(xdg, 'hotfix/config.json'), JSON.stringify({ gitlab: { tokenKind: 'oauth' } }));
    expect(loadSettings(deps({ GITLAB_TOKEN: 'oauth-abcdef', XDG_CONFIG_HOME: xdg }, none()), gl())).toMatchObject({
      token: 'oauth-abcdef',
      tokenKind: 'oauth',
    });
    await writeFile(join(xdg, 'hotfix/config.json'), JSON.stringify({ gitlab: { tokenKind: 'deploy' } }));
    expect(() => loadSettings(deps({ XDG_CONFIG_HOME: xdg }, none()), gl())).toThrow(/\/gitlab\/tokenKind/);
  });

  it('reads check headers from the user configuration and --check-header, values from named variables', async () => {
    const xdg = join(dir, 'xdg-checks');
    await mkdir(join(xdg, 'hotfix'), { recursive: true });
    await writeFile(
      join(xdg, 'hotfix/config.json'),
      JSON.stringify({ checks: { 'g/api': { headers: { 'X-Staging-Auth': 'STAGING_AUTH' } } } }),
    );
    const env = { XDG_CONFIG_HOME: xdg, STAGING_AUTH: 'staging-secret-1', OTHER: 'other-secret-2' };
    expect(loadSettings(deps(env, none()), gl('--check-header', 'x-extra=OTHER')).checkHeaders).toEqual({
      'g/api': { 'x-staging-auth': 'staging-secret-1' },
      '*': { 'x-extra': 'other-secret-2' },
    });
    expect(loadSettings(deps(env, none()), gl('--check-header', 'g/web:authorization=OTHER')).checkHeaders).toEqual({
      'g/api': { 'x-staging-auth': 'staging-secret-1' },
      'g/web': { authorization: 'other-secret-2' },
    });
    // Per check: <target>:<check name>:<header>=<VARIABLE> (a check name may hold spaces and colons).
    const perCheck = gl(
      '--check-header',
      'g/web:smoke: login page:x-login=OTHER',
      '--check-header',
      '*:ping:x-p=OTHER',
    );
    expect(loadSettings(deps(env, none()), perCheck).checkHeaders).toEqual({
      'g/api': { 'x-staging-auth': 'staging-secret-1' },
      'g/web:smoke: login page': { 'x-login': 'other-secret-2' },
      '*:ping': { 'x-p': 'other-secret-2' },
    });
    for (const bad of [':x-a=OTHER', 'g/web::x-a=OTHER', 'x-a=OTHER=MORE'])
      expect(() => loadSettings(deps(env, none()), gl('--check-header', bad))).toThrow(/--check-header/);
    const missing = (() => {
      try {
        loadSettings(deps({ XDG_CONFIG_HOME: xdg }, none()), gl());
      } catch (e) {
        return (e as ProblemError).problem;
      }
    })();
    expect(missing).toMatchObject({ code: 'invalid-config', exitCode: 3, details: { variable: 'STAGING_AUTH' } });
    expect(missing?.detail).toMatch(/from STAGING_AUTH, which is not set/);
  });

  it('refuses a GitLab token variable as a header source, and check headers in a repository file', async () => {
    for (const bad of ['GITLAB_TOKEN', 'CI_JOB_TOKEN', 'HOTFIX_TOKEN', 'GITLAB_ACCESS_TOKEN', 'CI_DEPLOY_PASSWORD']) {
      expect(() =>
        loadSettings(deps({ [bad]: 'glpat-abcdefgh' }, none()), gl('--check-header', `authorization=${bad}`)),
      ).toThrow(/must not be a GitLab token variable/);
    }
    const xdg = join(dir, 'xdg-bad');
    await mkdir(join(xdg, 'hotfix'), { recursive: true });
    await writeFile(
      join(xdg, 'hotfix/config.json'),
      JSON.stringify({ checks: { 'g/api': { headers: { authorization: 'GITLAB_TOKEN' } } } }),
    );
    expect(() => loadSettings(deps({ XDG_CONFIG_HOME: xdg, GITLAB_TOKEN: 'glpat-abcdefgh' }, none()), gl())).toThrow(
      /\/checks\/g~1api\/headers\/authorization: must not be a GitLab token variable/,
    );
    const repo = join(dir, 'repo-checks');
    await mkdir(join(repo, '.git'), { recursive: true });
    await writeFile(
      join(repo, 'hotfix.config.json'),
      JSON.stringify({ checks: { 'g/api': { headers: { 'x-staging-auth': 'STAGING_AUTH' } } } }),
    );
    expect(() => loadSettings(deps({}, repo), gl())).toThrow(
      /\/checks: check headers belong in your user configuration/,
    );
  });
});
