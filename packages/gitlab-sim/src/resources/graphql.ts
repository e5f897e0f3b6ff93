/**
 * POST /api/graphql: the minimal, honest subset of GitLab's GraphQL API the SDK uses to batch
 * blob reads. Served: `project(fullPath:)` → `repository` → `blobs(paths:, ref:)` (any number of
 * aliased `blobs` fields) → `nodes` with the RepositoryBlob fields `oid`, `path`, `name`,
 * `size`, `rawSize`, `rawBlob` and `rawTextBlob` (null for a binary blob, as GitLab's
 * `text_only_data`). Paths that do not name a blob at the ref are absent from `nodes`, as in
 * GitLab. Query complexity is counted like GitLab's (one per field, one more per path) against
 * GitLab's default limit of 250 for an authenticated request. Anything else (other fields,
 * fragments, mutations) is answered with a GraphQL error, never a guess. The simulator refuses
 * GraphQL altogether (404, as an instance or proxy that blocks it) when started with
 * `graphql: false` or when `state.graphql` is set to false.
 */
import { runGit } from '../_internal/git.js';
import { argValue, type GqlField, GqlSyntaxError, parseQuery } from '../_internal/graphql-parse.js';
import { json, notFound } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimProject } from '../state.js';

/** GitLab's default maximum query complexity for an authenticated request. */
const MAX_COMPLEXITY = 250;
const BLOB_FIELDS = new Set(['oid', 'path', 'name', 'size', 'rawSize', 'rawBlob', 'rawTextBlob']);

class FieldError extends Error {}

const missingField = (name: string, type: string) => new FieldError(`Field '${name}' doesn't exist on type '${type}'`);

interface Blob {
  readonly oid: string;
  readonly path: string;
  readonly content: Buffer;
}

/** Reads `ref:path` for every path in one `git cat-file --batch` (trees and missing paths skipped). */
async function readBlobs(project: SimProject, ref: string, paths: readonly string[]): Promise<Blob[]> {
  if (paths.length === 0) return [];
  const input = `${paths.map((p) => `${ref}:${p}`).join('\n')}\n`;
  const run = await runGit(['cat-file', '--batch'], { cwd: project.repoDir, input });
  const out = run.stdout;
  const blobs: Blob[] = [];
  let at = 0;
  for (const path of paths) {
    const nl = out.indexOf(0x0a, at);
    if (nl < 0) break;
    const header = out.subarray(at, nl).toString('utf8');
    at = nl + 1;
    const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
    if (!m) continue; // "<name> missing" or "ambiguous"
    const size = Number(m[3]);
    const content = out.subarray(at, at + size);
    at += size + 1;
    if (m[2] === 'blob') blobs.push({ oid: m[1] as string, path, content: Buffer.from(content) });
  }
  return blobs;
}

function isBinary(content: Buffer): boolean {
  if (content.subarray(0, 8000).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return false;
  } catch {
    return true;
  }
}

function blobNode(blob: Blob, selections: readonly GqlField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of selections) {
    if (!BLOB_FIELDS.has(f.name)) throw missingField(f.name, 'RepositoryBlob');
    const name = blob.path.slice(blob.path.lastIndexOf('/') + 1);
    const text = blob.content.toString('utf8');
    const values: Record<string, unknown> = {
      oid: blob.oid,
      path: blob.path,
      name,
      size: blob.content.length,
      rawSize: blob.content.length,
      rawBlob: text,
      rawTextBlob: isBinary(blob.content) ? null : text,
    };
    out[f.alias] = values[f.name];
  }
  return out;
}

type Vars = Readonly<Record<string, unknown>>;

async function resolveBlobs(project: SimProject, field: GqlField, vars: Vars): Promise<Record<string, unknown>> {
  const paths = argValue(field.args.paths, vars);
  const ref = argValue(field.args.ref, vars) ?? project.defaultBranch;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
    throw new FieldError("Argument 'paths' on Field 'blobs' has an invalid value. Expected type '[String!]!'.");
  }
  if (typeof ref !== 'string') throw new FieldError("Argument 'ref' on Field 'blobs' has an invalid value.");
  const blobs = await readBlobs(project, ref, paths as string[]);
  const out: Record<string, unknown> = {};
  for (const f of field.selections ?? []) {
    if (f.name !== 'nodes') throw missingField(f.name, 'RepositoryBlobConnection');
    out[f.alias] = blobs.map((b) => blobNode(b, f.selections ?? []));
  }
  return out;
}

async function resolveProject(ctx: RequestContext, field: GqlField, vars: Vars): Promise<unknown> {
  const fullPath = argValue(field.args.fullPath, vars);
  if (typeof fullPath !== 'string') throw new FieldError("Argument 'fullPath' on Field 'project' is required.");
  const project = ctx.state.findProject(fullPath);
  // A project the caller cannot read is null, as GitLab answers (no error, no existence leak).
  if (!project || !ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.reporter) return null;
  const out: Record<string, unknown> = {};
  for (const f of field.selections ?? []) {
    if (f.name === 'fullPath') out[f.alias] = project.path;
    else if (f.name === 'repository') {
      const repo: Record<string, unknown> = {};
      for (const r of f.selections ?? []) {
        if (r.name !== 'blobs') throw missingField(r.name, 'Repository');
        repo[r.alias] = await resolveBlobs(project, r, vars);
      }
      out[f.alias] = repo;
    } else throw missingField(f.name, 'Project');
  }
  return out;
}

function complexity(fields: readonly GqlField[], vars: Vars): number {
  let n = 0;
  for (const f of fields) {
    n += 1;
    if (f.name === 'blobs') {
      const paths = argValue(f.args.paths, vars);
      n += Array.isArray(paths) ? paths.length : 0;
    }
    n += complexity(f.selections ?? [], vars);
  }
  return n;
}

const gqlError = (message: string) => json({ errors: [{ message }] });

/** Registers POST /api/graphql on the router of non-REST routes. */
export function registerGraphql(ext: Router): void {
  ext.on('POST', '/api/graphql', async (ctx) => {
    if (!ctx.state.graphql) throw notFound();
    const { query, variables } = ctx.body as { query?: unknown; variables?: unknown };
    if (typeof query !== 'string' || query.trim() === '') return gqlError('No query string was present');
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return gqlError('Variables must be an object');
    }
    const vars = (variables ?? {}) as Vars;
    let root: readonly GqlField[];
    try {
      root = parseQuery(query);
    } catch (e) {
      if (e instanceof GqlSyntaxError) return gqlError(e.message);
      throw e;
    }
    const cost = complexity(root, vars);
    if (cost > MAX_COMPLEXITY) {
      return gqlError(`Query has complexity of ${cost}, which exceeds max complexity of ${MAX_COMPLEXITY}`);
    }
    try {
      const data: Record<string, unknown> = {};
      for (const f of root) {
        if (f.name !== 'project') throw missingField(f.name, 'Query');
        data[f.alias] = await resolveProject(ctx, f, vars);
      }
      return json({ data });
    } catch (e) {
      if (e instanceof FieldError) return gqlError(e.message);
      throw e;
    }
  });
}
