/**
 * A sparse object store for the merge engine that reads through GitLab's repository API on
 * demand: trees with `GET /repository/tree?ref=<commit>&path=<dir>` (the API is keyed by commit
 * and path, not by tree id, so the store remembers where each tree id was seen while the engine
 * descends), blobs with `GET /repository/blobs/:sha/raw` (or, batched by path, GraphQL's
 * `repository.blobs`), commits with `GET /repository/commits/:sha`.
 * Everything read is cached and verified (tree ids are recomputed from the listed entries, blob
 * ids from the bytes); everything written stays in memory until a push sends it.
 */
import type { Result, ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { checkRepoName } from '../safe-path.js';
import { decodeTree, encodeCommit, encodeTree, type GitObject, objectId, signatureFromIso } from './git-objects.js';
import type { CommitData, ObjectStore, ObjectStoreStats, TreeEntry } from './merge/types.js';

/** Counters of a sparse store: objects and bytes fetched from GitLab (`*Read`), requests made. */
export interface GitLabStoreStats extends ObjectStoreStats {
  /** API requests made (pages of tree listings count one each). */
  requests: number;
}

/** An object store over one GitLab project, plus what a push needs. */
export interface GitLabObjectStore extends ObjectStore {
  readonly stats: GitLabStoreStats;
  /** The root tree id of a commit, from one listing of its root (no commit entity read). */
  treeOf(commit: string): Promise<string>;
  /**
   * Lists, in parallel, the directories along `paths` at `commit` (the tree API's key), so the
   * engine's later reads are cache hits; returns the blob id at each path that holds a file.
   */
  prefetch(commit: string, paths: readonly string[]): Promise<Map<string, string>>;
  /**
   * Reads the blobs at `paths` at each of `commits` in one GraphQL query, where the instance
   * offers it, and keeps those whose bytes hash to the id GitLab named (text blobs within the
   * cap): later `readBlob`s of them are cache hits. Binary, oversized or mismatching blobs, and
   * an instance that refuses GraphQL, leave the REST reads by id to do the work (the fallback).
   * Returns how many blobs it kept.
   */
  prefetchBlobs(commits: readonly string[], paths: readonly string[]): Promise<number>;
  /** The objects written locally and reachable from `tip` that GitLab was not seen to have. */
  newObjects(tip: string): GitObject[];
}

/** Where a tree can be listed: the tree API wants a commit and a path. */
interface TreeLocation {
  readonly commit: string;
  readonly path: string;
}

/** Thrown inside the store; the primitive maps it back to the `HotfixError` it carries. */
export class StoreError extends Error {
  constructor(readonly error: HotfixError) {
    super(error.message);
  }
}

async function must<T>(r: ResultAsync<T, HotfixError>): Promise<T> {
  const v: Result<T, HotfixError> = await r;
  if (v.isErr()) throw new StoreError(v.error);
  return v.value;
}

/** Limits of a store: what a hostile repository may not make us read. */
export interface GitLabStoreLimits {
  /** Largest blob read (bytes); a larger one is a `response-invalid` error naming it. */
  readonly maxBlobBytes?: number;
}

/**
 * Most blobs asked in one GraphQL query (paths × commits): GitLab counts one complexity point
 * per path against a limit of 250 for the whole query.
 */
const MAX_BATCHED_BLOBS = 150;

/** The default blob cap: a conflicted file a human can read in an editor. */
export const DEFAULT_MAX_BLOB_BYTES = 8 * 1024 * 1024;

function refuse(route: string, path: string, message: string): StoreError {
  return new StoreError(
    hotfixError('response-invalid', `GitLab's answer to GET ${route} is refused: ${message}.`, {
      runbookRef: 'D3',
      details: { method: 'GET', route, issues: [{ pointer: '', message: `${JSON.stringify(path)}: ${message}` }] },
    }),
  );
}

/**
 * Creates a sparse store over `project`, reading through `client`. Every tree entry name is
 * checked with git's own rules (see checkRepoName): a repository holding `..`, `.git`, a NUL or a
 * control character in a name is refused with `response-invalid` before anything is written.
 */
export function createGitLabObjectStore(
  client: GitLabClient,
  project: string,
  limits: GitLabStoreLimits = {},
): GitLabObjectStore {
  const maxBlobBytes = limits.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const stats: GitLabStoreStats = { objectsRead: 0, bytesRead: 0, objectsWritten: 0, bytesWritten: 0, requests: 0 };
  const locations = new Map<string, TreeLocation>();
  const trees = new Map<string, Promise<readonly TreeEntry[]>>();
  const blobs = new Map<string, Promise<Uint8Array>>();
  const commits = new Map<string, Promise<CommitData>>();
  const local = new Map<string, GitObject>();
  const remote = new Set<string>();

  const remember = (loc: TreeLocation, entries: readonly TreeEntry[]) => {
    for (const e of entries) {
      if (e.type === 'tree' && !locations.has(e.oid)) {
        locations.set(e.oid, { commit: loc.commit, path: loc.path ? `${loc.path}/${e.path}` : e.path });
      }
    }
  };

  // Listings are memoised by location, so a prefetch in flight serves the engine's later read.
  const listings = new Map<string, Promise<{ oid: string; entries: TreeEntry[] }>>();
  const listTree = (loc: TreeLocation): Promise<{ oid: string; entries: TreeEntry[] }> => {
    const key = `${loc.commit}\0${loc.path}`;
    let found = listings.get(key);
    if (found === undefined) {
      found = fetchListing(loc);
      listings.set(key, found);
    }
    return found;
  };
  const fetchListing = async (loc: TreeLocation): Promise<{ oid: string; entries: TreeEntry[] }> => {
    const list = await must(client.tree(project, loc.commit, loc.path, { perPage: 100, maxPages: 1000 }));
    stats.requests += list.pagesRead;
    for (const i of list.items) {
      const why = checkRepoName(i.name);
      const where = loc.path ? `${loc.path}/${i.name}` : i.name;
      if (why !== undefined) {
        throw refuse('/projects/:id/repository/tree', where, `tree entry ${JSON.stringify(where)} is unsafe (${why})`);
      }
      if (i.path !== where) {
        throw refuse(
          '/projects/:id/repository/tree',
          where,
          `tree entry path ${JSON.stringify(i.path)} is not its name`,
        );
      }
    }
    const entries = list.items.map(
      (i): TreeEntry => ({
        mode: i.type === 'tree' ? '040000' : i.mode.padStart(6, '0'),
        path: i.name,
        oid: i.id,
        type: i.type,
      }),
    );
    const data = encodeTree(entries);
    stats.objectsRead++;
    stats.bytesRead += data.byteLength;
    const oid = objectId('tree', data);
    remote.add(oid);
    remember(loc, entries);
    if (!trees.has(oid)) trees.set(oid, Promise.resolve(entries));
    if (!locations.has(oid)) locations.set(oid, loc);
    return { oid, entries };
  };

  const store: GitLabObjectStore = {
    stats,
    async treeOf(commit) {
      return (await listTree({ commit, path: '' })).oid;
    },
    async prefetch(commit, paths) {
      const dirs = new Set<string>(['']);
      for (const p of paths) {
        const parts = p.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      }
      // A directory missing on this side is a 404: fine for a hint, the engine decides.
      await Promise.all([...dirs].map((path) => listTree({ commit, path }).catch(() => undefined)));
      const leaves = new Map<string, string>();
      for (const p of paths) {
        const i = p.lastIndexOf('/');
        const listing = await listTree({ commit, path: i < 0 ? '' : p.slice(0, i) }).catch(() => undefined);
        const e = listing?.entries.find((x) => x.path === p.slice(i + 1));
        if (e !== undefined && e.type === 'blob') leaves.set(p, e.oid);
      }
      return leaves;
    },
    async prefetchBlobs(commits, paths) {
      if (paths.length === 0 || commits.length === 0 || paths.length * commits.length > MAX_BATCHED_BLOBS) return 0;
      const answer = await client.repositoryBlobs(project, commits, paths);
      stats.requests++;
      if (answer.isErr()) return 0;
      let kept = 0;
      for (const nodes of answer.value.values()) {
        for (const n of nodes) {
          if (n.rawTextBlob == null || blobs.has(n.oid)) continue;
          const data = new Uint8Array(Buffer.from(n.rawTextBlob, 'utf8'));
          if (data.byteLength > maxBlobBytes || objectId('blob', data) !== n.oid) continue;
          stats.objectsRead++;
          stats.bytesRead += data.byteLength;
          remote.add(n.oid);
          blobs.set(n.oid, Promise.resolve(data));
          kept++;
        }
      }
      return kept;
    },
    readCommit(oid) {
      let found = commits.get(oid);
      if (found === undefined) {
        found = (async () => {
          const c = await must(client.commit(project, oid));
          stats.requests++;
          stats.objectsRead++;
          stats.bytesRead += c.message.length;
          remote.add(c.id);
          // GitLab's commit entity has no tree id: list the root and hash it.
          const tree = await store.treeOf(c.id);
          const date = c.authored_date ?? c.created_at ?? new Date(0).toISOString();
          const cdate = c.committed_date ?? date;
          return {
            tree,
            parents: c.parent_ids,
            author: signatureFromIso(c.author_name, c.author_email ?? '', date),
            committer: signatureFromIso(c.author_name, c.author_email ?? '', cdate),
            message: c.message,
          };
        })();
        commits.set(oid, found);
      }
      return found;
    },
    readTree(oid) {
      const mine = local.get(oid);
      if (mine !== undefined) return Promise.resolve(decodeTree(mine.data));
      let found = trees.get(oid);
      if (found === undefined) {
        const loc = locations.get(oid);
        if (loc === undefined) return Promise.reject(new Error(`tree ${oid} was not reached from a known commit`));
        found = listTree(loc).then(({ oid: got, entries }) => {
          if (got !== oid) throw new Error(`tree at ${loc.commit}:${loc.path} hashes to ${got}, expected ${oid}`);
          return entries;
        });
        trees.set(oid, found);
      }
      return found;
    },
    readBlob(oid) {
      const mine = local.get(oid);
      if (mine !== undefined) return Promise.resolve(mine.data);
      let found = blobs.get(oid);
      if (found === undefined) {
        found = must(client.rawBlob(project, oid)).then((data) => {
          stats.requests++;
          if (data.byteLength > maxBlobBytes) {
            throw refuse(
              '/projects/:id/repository/blobs/:sha/raw',
              oid,
              `blob ${oid} has ${data.byteLength} bytes, more than the ${maxBlobBytes}-byte cap`,
            );
          }
          stats.objectsRead++;
          stats.bytesRead += data.byteLength;
          if (objectId('blob', data) !== oid) throw new Error(`blob ${oid} arrived with different content`);
          remote.add(oid);
          return data;
        });
        blobs.set(oid, found);
      }
      return found;
    },
    async writeBlob(data) {
      return put('blob', data);
    },
    async writeTree(entries) {
      return put('tree', encodeTree(entries));
    },
    async writeCommit(commit) {
      return put('commit', encodeCommit(commit));
    },
    newObjects(tip) {
      const out: GitObject[] = [];
      const seen = new Set<string>();
      const visit = (oid: string) => {
        if (seen.has(oid) || remote.has(oid)) return;
        seen.add(oid);
        const obj = local.get(oid);
        if (obj === undefined) return;
        out.push(obj);
        if (obj.type === 'tree') for (const e of decodeTree(obj.data)) if (e.type !== 'commit') visit(e.oid);
        if (obj.type === 'commit') visit(Buffer.from(obj.data).toString('latin1', 5, 45));
      };
      visit(tip);
      return out;
    },
  };

  function put(type: GitObject['type'], data: Uint8Array): string {
    const oid = objectId(type, data);
    if (!local.has(oid)) {
      local.set(oid, { oid, type, data });
      stats.objectsWritten++;
      stats.bytesWritten += data.byteLength;
    }
    return oid;
  }

  return store;
}
