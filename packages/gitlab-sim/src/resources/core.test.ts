import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { type GitLabSim, startGitLabSim } from '../server.js';

async function get(sim: GitLabSim, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.apiUrl}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('instance metadata and the token in use', () => {
  let sim: GitLabSim;
  beforeAll(async () => {
    sim = await startGitLabSim({ token: 'glpat-core-test-admin' });
    sim.state.tokens.push({ value: 'oauth-core-test', userId: 1, kind: 'oauth' });
    sim.state.tokens.push({ value: 'job-core-test', userId: 1, kind: 'job' });
  });
  afterAll(() => sim.close());
  const auth = (t: string) => ({ 'PRIVATE-TOKEN': t });

  it('answers /version and /metadata with version, revision, kas and edition for an authenticated user only', async () => {
    const v = await get(sim, '/version', auth(sim.token));
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ version: '18.6.0', enterprise: false, kas: { enabled: false } });
    expect(typeof v.body.revision).toBe('string');
    expect((await get(sim, '/metadata', auth(sim.token))).body).toEqual(v.body);
    expect((await get(sim, '/version')).status).toBe(401);
    expect((await get(sim, '/metadata')).status).toBe(401);
  });

  it('reports the configured version; before 15.5 /version has only version and revision, before 15.2 no /metadata', async () => {
    sim.state.instance.version = '15.1.0-ee';
    sim.state.instance.enterprise = true;
    try {
      expect((await get(sim, '/version', auth(sim.token))).body).toEqual({
        version: '15.1.0-ee',
        revision: sim.state.instance.revision,
      });
      expect((await get(sim, '/metadata', auth(sim.token))).status).toBe(404);
      expect((await get(sim, '/personal_access_tokens/self', auth(sim.token))).status).toBe(404);
    } finally {
      sim.state.instance.version = '18.6.0';
      sim.state.instance.enterprise = false;
    }
  });

  it('describes a personal access token at /personal_access_tokens/self; 404 for OAuth, 401 for a job token', async () => {
    const token = sim.state.tokens.find((t) => t.value === sim.token);
    if (token) token.scopes = ['read_api', 'read_repository'];
    const self = await get(sim, '/personal_access_tokens/self', auth(sim.token));
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ name: 'sim', scopes: ['read_api', 'read_repository'], user_id: 1, active: true });
    expect(self.body).toHaveProperty('expires_at', null);
    expect(JSON.stringify(self.body)).not.toContain(sim.token);
    const oauth = await get(sim, '/personal_access_tokens/self', { authorization: 'Bearer oauth-core-test' });
    expect(oauth.status).toBe(404);
    expect((await get(sim, '/personal_access_tokens/self', { 'JOB-TOKEN': 'job-core-test' })).status).toBe(401);
    expect((await get(sim, '/personal_access_tokens/self')).status).toBe(401);
  });
});

describe('instance metadata in realistic mode', () => {
  let sim: GitLabSim;
  beforeAll(async () => {
    sim = await startGitLabSim({ realistic: true, instance: { version: '16.11.2-ee', enterprise: true } });
  });
  afterAll(() => sim.close());

  it('takes the version from the options and omits the fields older documented answers lack', async () => {
    const v = await get(sim, '/metadata', { 'PRIVATE-TOKEN': sim.token });
    expect(v.body).toMatchObject({ version: '16.11.2-ee', enterprise: true });
    expect(v.body.kas).not.toHaveProperty('externalK8sProxyUrl');
    const self = await get(sim, '/personal_access_tokens/self', { 'PRIVATE-TOKEN': sim.token });
    expect(self.body).not.toHaveProperty('last_used_at');
    expect(self.body).toMatchObject({ scopes: ['api'], active: true });
  });
});

describe('hotfix-gitlab-sim serve --gitlab-version', () => {
  it('refuses a version that does not look like one with exit code 64', async () => {
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(await runCli(['serve', '--gitlab-version', 'latest'])).toBe(64);
    } finally {
      process.stderr.write = write;
    }
  });
});
