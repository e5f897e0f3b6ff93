import { spawn } from 'node:child_process';
import { type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { decodeTree, encodeTree, objectId } from './git-objects.js';
import { createGitLabObjectStore } from './gitlab-object-store.js';

const project = 'evenergi/charging-api';

function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    const out: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args.join(' ')}`))));
  });
}

describe('createGitLabObjectStore', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let repo: string;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    repo = sim.state.findProject(project)!.repoDir;
  });
  afterAll(() => sim.close());
  const rev = async (spec: string) => (await git(repo, ['rev-parse', spec])).toString().trim();

  it('derives tree ids from the tree API exactly as git does, and reads only what is asked', async () => {
    const store = createGitLabObjectStore(client, project);
    const head = await rev('refs/heads/release');
    expect(await store.treeOf(head)).toBe(await rev(`${head}^{tree}`));
    const root = await store.readTree(await store.treeOf(head));
    const src = root.find((e) => e.path === 'src')!;
    expect(src.oid).toBe(await rev(`${head}:src`));
    const entries = await store.readTree(src.oid);
    const tariff = entries.find((e) => e.path === 'tariff.ts')!;
    expect(Buffer.from(await store.readBlob(tariff.oid))).toEqual(await git(repo, ['cat-file', 'blob', tariff.oid]));
    // Two listings (root, src) and one blob; a second read comes from the cache.
    expect(store.stats).toMatchObject({ objectsRead: 3, requests: 3 });
    await store.readTree(src.oid);
    expect(store.stats.requests).toBe(3);
  });

  it('batches blob reads by path in one GraphQL query; later reads by id are cache hits', async () => {
    const store = createGitLabObjectStore(client, project);
    const release = await rev('refs/heads/release');
    const main = await rev('refs/heads/main');
    sim.controls.clearLog();
    const kept = await store.prefetchBlobs([release, main], ['src/tariff.ts', 'README.md', 'no/such/file']);
    const blobsNow = sim.controls.requests.filter((r) => r.route !== 'control');
    expect(blobsNow.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/graphql']);
    const oids = new Set<string>();
    for (const ref of [release, main]) {
      for (const p of ['src/tariff.ts', 'README.md']) oids.add(await rev(`${ref}:${p}`));
    }
    expect(kept).toBe(oids.size);
    for (const oid of oids) {
      expect(Buffer.from(await store.readBlob(oid))).toEqual(await git(repo, ['cat-file', 'blob', oid]));
    }
    expect(sim.controls.requests.filter((r) => r.route !== 'control')).toHaveLength(1);
    expect(store.stats.requests).toBe(1);
  });

  it('falls back to REST reads by id when the instance refuses GraphQL', async () => {
    const store = createGitLabObjectStore(client, project);
    const release = await rev('refs/heads/release');
    sim.state.graphql = false;
    try {
      sim.controls.clearLog();
      expect(await store.prefetchBlobs([release], ['src/tariff.ts'])).toBe(0);
      const oid = await rev(`${release}:src/tariff.ts`);
      expect(Buffer.from(await store.readBlob(oid))).toEqual(await git(repo, ['cat-file', 'blob', oid]));
      const seen = sim.controls.requests.filter((r) => r.route !== 'control').map((r) => [r.method, r.status]);
      expect(seen).toEqual([
        ['POST', 404],
        ['GET', 200],
      ]);
    } finally {
      sim.state.graphql = true;
    }
  });

  it('keeps no blob whose GraphQL text does not hash to its id (binary, truncated): REST reads it', async () => {
    const release = await rev('refs/heads/release');
    const oid = await rev(`${release}:src/tariff.ts`);
    // An instance answering a truncated text (as GitLab may for a large blob).
    const lying = createGitLabClient(
      { gitlabUrl: sim.url, token: sim.token },
      {
        fetch: async (url, init) => {
          const res = await fetch(url, init);
          if (!String(url).endsWith('/api/graphql')) return res;
          const body = (await res.json()) as {
            data: { project: { repository: Record<string, { nodes: { rawTextBlob: string }[] }> } };
          };
          for (const conn of Object.values(body.data.project.repository)) {
            for (const n of conn.nodes) n.rawTextBlob = n.rawTextBlob.slice(0, 10);
          }
          return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
        },
      },
    )._unsafeUnwrap();
    const store = createGitLabObjectStore(lying, project);
    expect(await store.prefetchBlobs([release], ['src/tariff.ts'])).toBe(0);
    expect(Buffer.from(await store.readBlob(oid))).toEqual(await git(repo, ['cat-file', 'blob', oid]));
    expect(store.stats.requests).toBe(2);
  });

  it('reads the picked commit with its author and parents, and refuses a tree it never reached', async () => {
    const store = createGitLabObjectStore(client, project);
    const main = await rev('refs/heads/main');
    const c = await store.readCommit(main);
    expect(c.tree).toBe(await rev(`${main}^{tree}`));
    expect(c.parents).toEqual((await git(repo, ['log', '-1', '--format=%P', main])).toString().trim().split(' '));
    await expect(store.readTree('f'.repeat(40))).rejects.toThrow(/not reached/);
  });

  it('keeps written objects local and lists only the new ones reachable from a tip', async () => {
    const store = createGitLabObjectStore(client, project);
    const head = await rev('refs/heads/release');
    const root = await store.readTree(await store.treeOf(head));
    const blob = await store.writeBlob(Buffer.from('new\n'));
    const tree = await store.writeTree([...root, { mode: '100644', path: 'NEW.md', oid: blob, type: 'blob' }]);
    expect(decodeTree(encodeTree(await store.readTree(tree)))).toEqual(await store.readTree(tree));
    expect(objectId('blob', Buffer.from('new\n'))).toBe(blob);
    const sig = { name: 'T', email: 't@example.com', timestamp: 0, timezoneOffset: 0 };
    const commit = await store.writeCommit({ tree, parents: [head], author: sig, committer: sig, message: 'm\n' });
    expect(store.newObjects(commit).map((o) => o.type)).toEqual(['commit', 'tree', 'blob']);
  });
});
