import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../_internal/repo.js';
import { type GitLabSim, startGitLabSim } from '../server.js';

const BLOBS = `query Blobs($fullPath: ID!, $paths: [String!]!, $a: String, $b: String) {
  project(fullPath: $fullPath) {
    repository {
      before: blobs(ref: $a, paths: $paths) { nodes { path oid size rawTextBlob } }
      after: blobs(ref: $b, paths: $paths) { nodes { path oid rawBlob rawTextBlob } }
    }
  }
}`;

// biome-ignore lint/suspicious/noExplicitAny: a GraphQL answer is read field by field in assertions.
type GqlAnswer = Record<string, any>;

describe('POST /api/graphql (the blob-batching subset)', () => {
  let sim: GitLabSim;
  let first: string;
  let second: string;
  const gql = async (query: string, variables: Record<string, unknown>, token: string | null = sim.token) => {
    const res = await fetch(`${sim.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlAnswer };
  };
  const commit = async (actions: unknown[]) => {
    const res = await fetch(`${sim.apiUrl}/projects/acme%2Fservice/repository/commits`, {
      method: 'POST',
      headers: { 'private-token': sim.token, 'content-type': 'application/json' },
      body: JSON.stringify({ branch: 'main', commit_message: 'c', actions }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  beforeAll(async () => {
    sim = await startGitLabSim();
    await createProject(sim.state, sim.root, { path: 'acme/service', creatorId: 1, defaultBranch: 'main' });
    first = await commit([
      { action: 'create', file_path: 'src/a.ts', content: 'one\n' },
      {
        action: 'create',
        file_path: 'img/logo.bin',
        content: Buffer.from([0, 1, 2, 255]).toString('base64'),
        encoding: 'base64',
      },
    ]);
    second = await commit([{ action: 'update', file_path: 'src/a.ts', content: 'two\n' }]);
  });
  afterAll(() => sim.close());

  it('reads blobs at several refs in one request; missing paths and directories are absent; binary has no rawTextBlob', async () => {
    const paths = ['src/a.ts', 'img/logo.bin', 'nope.txt', 'src'];
    const r = await gql(BLOBS, { fullPath: 'acme/service', paths, a: first, b: second });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const repo = r.body.data.project.repository;
    const oid = (ref: string, p: string) =>
      execFileSync('git', ['rev-parse', `${ref}:${p}`], { cwd: sim.state.findProject('acme/service')!.repoDir })
        .toString()
        .trim();
    expect(repo.before.nodes).toEqual([
      { path: 'src/a.ts', oid: oid(first, 'src/a.ts'), size: 4, rawTextBlob: 'one\n' },
      { path: 'img/logo.bin', oid: oid(first, 'img/logo.bin'), size: 4, rawTextBlob: null },
    ]);
    expect(repo.after.nodes[0]).toMatchObject({ path: 'src/a.ts', rawBlob: 'two\n', rawTextBlob: 'two\n' });
    expect(repo.after.nodes[1]).toMatchObject({ path: 'img/logo.bin', rawTextBlob: null });
  });

  it('answers GraphQL errors for what it does not serve, and null for a project the caller cannot read', async () => {
    const unknown = await gql(
      '{ project(fullPath: "acme/service") { repository { tree { trees { nodes { name } } } } } }',
      {},
    );
    expect(unknown.body.errors[0].message).toBe("Field 'tree' doesn't exist on type 'Repository'");
    const mutation = await gql('mutation { x }', {});
    expect(mutation.body.errors[0].message).toMatch(/only queries/);
    const anonymous = await gql(BLOBS, { fullPath: 'acme/service', paths: ['src/a.ts'], a: first, b: second }, null);
    expect(anonymous.body).toEqual({ data: { project: null } });
    const many = Array.from({ length: 300 }, (_, i) => `f${i}`);
    const costly = await gql(BLOBS, { fullPath: 'acme/service', paths: many, a: first, b: second });
    expect(costly.body.errors[0].message).toMatch(/exceeds max complexity of 250/);
  });

  it('can refuse GraphQL altogether (404), for clients to fall back to REST', async () => {
    sim.state.graphql = false;
    try {
      const r = await gql(BLOBS, { fullPath: 'acme/service', paths: ['src/a.ts'], a: first, b: second });
      expect(r.status).toBe(404);
    } finally {
      sim.state.graphql = true;
    }
  });
});
