/**
 * Runs D3 end to end for both modes: plan (read + merge over the sparse store), then either ask
 * the resolver or fill the workspace, then verify, commit, push with compare-and-swap and read
 * release back. Every failure leaves as a `HotfixError`; nothing throws out of here.
 */
import type { ConflictResolution } from '@hotfix-release/evidence';
import { createGitLabObjectStore, type GitLabObjectStore, StoreError } from '../../_internal/gitlab-object-store.js';
import type { GitSignature } from '../../_internal/merge/types.js';
import { type Advertisement, requestAdvertisement, smartHttpPush } from '../../_internal/smart-http-push.js';
import { isoNow } from '../../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../../errors.js';
import type { GitLabClient } from '../../gitlab-client.js';
import { checkRepoPath, UnsafeWriteError } from '../../safe-path.js';
import { buildResolvedCommit, pickMessage, type Resolution } from './finish.js';
import { type ConflictToResolve, describeConflicts, type MergePlan, PlanError, planMerge } from './merge-plan.js';
import {
  readWorkspace,
  STATE_FILE,
  WorkspaceError,
  type WorkspaceState,
  writeState,
  writeWorkspace,
} from './workspace.js';

/** What a resolver answers for one conflict: the content, a removal, or `null` to give up. @see D3 */
export type ResolverAnswer = string | Uint8Array | { readonly delete: true } | null | undefined;

/** Which pick a conflict belongs to: a resolver serving several targets keeps their answers apart. @see D3 */
export interface ConflictContext {
  /** The target project whose release branch receives the pick. */
  readonly project: string;
  readonly branch: string;
  /** The picked commit. */
  readonly original: string;
}

/**
 * A programmatic resolver: called once per conflicted path, in path order, with the pick it
 * belongs to.
 * @see D3
 */
export type ConflictResolver = (
  conflict: ConflictToResolve,
  context: ConflictContext,
) => ResolverAnswer | Promise<ResolverAnswer>;

/** Objects and bytes the resolution moved (what the issue's sparse design promises to keep small). @see D3 */
export interface ResolveStats {
  /** Objects (trees, blobs, commits) read from GitLab. */
  readonly objectsFetched: number;
  /** Bytes of those objects (git object content: tree entries, blob bytes, messages). */
  readonly bytesFetched: number;
  /** GitLab API requests made to read them. */
  readonly requests: number;
  /** Objects sent in the pack. */
  readonly objectsSent: number;
  /** Bytes of the receive-pack request (commands and pack). */
  readonly bytesSent: number;
}

/**
 * What D3 did, as a discriminated union on `kind`: `resolved` (conflicts resolved, pushed,
 * `record` fills the evidence's ConflictResolution), `picked` (the local merge was clean, pushed),
 * `awaiting-resolution` (human mode: edit the workspace, then continue), `already-applied`.
 * @see D3
 */
export type ResolveConflictOutcome =
  | {
      readonly kind: 'resolved' | 'picked';
      readonly project: string;
      readonly branch: string;
      readonly original: string;
      readonly commit: string;
      readonly tree: string;
      readonly releaseBefore: string;
      readonly releaseAfter: string;
      /** Paths the resolution decided (empty for `picked`: the local merge was clean). */
      readonly resolvedPaths: readonly string[];
      /** Every path the new commit changes on release. */
      readonly changedPaths: readonly string[];
      readonly stats: ResolveStats;
      /** The evidence record (D3), for `resolved`. */
      readonly record?: ConflictResolution;
    }
  | {
      readonly kind: 'awaiting-resolution';
      readonly project: string;
      readonly branch: string;
      readonly original: string;
      readonly releaseHead: string;
      readonly workspaceDir: string;
      readonly stateFile: string;
      readonly conflicts: readonly { readonly path: string; readonly reason: string }[];
      readonly stats: ResolveStats;
    }
  | {
      readonly kind: 'already-applied';
      readonly project: string;
      readonly original: string;
      readonly releaseHead: string;
    };

/** Everything a run needs once options are parsed. */
export interface RunSettings {
  readonly project: string;
  readonly branch: string;
  readonly original: string;
  readonly mainline: number | undefined;
  readonly releaseHead: string;
  readonly gitUrl: string;
  readonly gitUsername: string;
  readonly gitToken: string;
  readonly committer: GitSignature;
  readonly resolvedBy: string;
  readonly appendTrailer: boolean;
  /** Largest blob the resolution reads; a larger one in the conflict is refused (`response-invalid`). */
  readonly maxBlobBytes?: number;
  readonly fetch?: typeof fetch;
  /** The pick's changed paths, when the caller knew them: the read-ahead hint, without reading the diff. */
  readonly changedPaths?: readonly string[];
}

type Source =
  | { readonly resolver: ConflictResolver }
  | { readonly workspaceDir: string; readonly resume: false }
  | {
      readonly workspaceDir: string;
      readonly resume: true;
      readonly state: WorkspaceState;
      /** Paths whose written content the operator confirms as the answer. */
      readonly accept: readonly string[];
    };

/** Runs one resolution; see the primitives' TSDoc for the contract. */
export async function runResolution(
  client: GitLabClient,
  s: RunSettings,
  source: Source,
): Promise<ResolveConflictOutcome | HotfixError> {
  const store = createGitLabObjectStore(
    client,
    s.project,
    s.maxBlobBytes !== undefined ? { maxBlobBytes: s.maxBlobBytes } : {},
  );
  // A run that will push asks for the ref advertisement now, alongside the reads (one round trip less).
  const pushes = 'resolver' in source || source.resume;
  const advertisement = pushes
    ? requestAdvertisement({
        url: s.gitUrl,
        username: s.gitUsername,
        token: s.gitToken,
        ...(s.fetch ? { fetch: s.fetch } : {}),
      })
    : undefined;
  try {
    const plan = await planMerge(client, store, s.project, s.original, s.mainline, s.releaseHead, s.changedPaths);
    const resolutions = new Map<string, Resolution>();
    if (plan.result.kind === 'clean' && plan.result.tree === plan.oursTree) {
      return { kind: 'already-applied', project: s.project, original: s.original, releaseHead: s.releaseHead };
    }
    const conflicts =
      plan.result.kind === 'conflict'
        ? (await describeConflicts(store, plan.result.conflicts)).sort((a, b) => (a.path < b.path ? -1 : 1))
        : [];
    const conflictPaths = conflicts.map((c) => c.path);
    if ('resolver' in source) {
      for (const c of conflicts) {
        const answer = await source.resolver(c, { project: s.project, branch: s.branch, original: s.original });
        if (answer === null || answer === undefined) return gaveUp(s, conflictPaths);
        resolutions.set(c.path, toResolution(answer));
      }
    } else if (!source.resume) {
      // Human mode always stops for the operator, even when the local merge came out clean:
      // D3 pushes only after someone confirmed the contents.
      const state = {
        version: 2 as const,
        project: s.project,
        branch: s.branch,
        original: s.original,
        mainline: s.mainline,
        releaseHead: s.releaseHead,
        createdAt: isoNow(client.clock),
        conflicts: conflicts.map((c) => ({ path: c.path, reason: c.reason })),
      };
      await writeWorkspace(source.workspaceDir, state, conflicts);
      return {
        kind: 'awaiting-resolution',
        project: s.project,
        branch: s.branch,
        original: s.original,
        releaseHead: s.releaseHead,
        workspaceDir: source.workspaceDir,
        stateFile: `${source.workspaceDir}/${STATE_FILE}`,
        conflicts: state.conflicts,
        stats: stats(store, 0, 0),
      };
    }
    if ('workspaceDir' in source && source.resume) {
      const { answers: files, unchanged } = await readWorkspace(source.workspaceDir, source.state, source.accept);
      const untouched = conflictPaths.filter((p) => unchanged.includes(p));
      if (untouched.length > 0) {
        return hotfixError(
          'resolution-invalid',
          `${untouched.join(', ')} still hold(s) exactly what the tool wrote; edit the file(s), or accept them as written explicitly.`,
          { runbookRef: 'D3', details: { paths: untouched, reason: 'unchanged' } },
        );
      }
      const missing = conflictPaths.filter((p) => !files.has(p));
      if (missing.length > 0) {
        return hotfixError('resolution-invalid', `The workspace lacks ${missing.join(', ')}; restore the file(s).`, {
          runbookRef: 'D3',
          details: { paths: missing, reason: 'missing' },
        });
      }
      for (const [path, content] of files) {
        const bad = checkRepoPath(path);
        if (bad) {
          return hotfixError(
            'resolution-invalid',
            `Refusing the workspace path ${JSON.stringify(path)} (${bad.reason}).`,
            {
              runbookRef: 'D3',
              details: { paths: [path], reason: `unsafe-path:${bad.reason}` },
            },
          );
        }
        resolutions.set(path, { content });
      }
    }
    return await finish(client, store, s, plan, resolutions, conflictPaths, advertisement);
  } catch (e) {
    if (e instanceof StoreError || e instanceof WorkspaceError) return e.error;
    if (e instanceof UnsafeWriteError) {
      return hotfixError(
        'resolution-invalid',
        `Refusing to write ${JSON.stringify(e.path)} in the workspace (${e.reason}).`,
        {
          runbookRef: 'D3',
          details: { paths: [e.path], reason: `unsafe-path:${e.reason}` },
        },
      );
    }
    if (e instanceof PlanError) {
      return hotfixError('invalid-input', e.message, {
        runbookRef: 'D3',
        details: { pointer: '/mainline', issues: [{ pointer: '/mainline', message: e.message }] },
      });
    }
    if (isHotfixError(e)) return e;
    const reason = e instanceof Error ? e.message : String(e);
    return hotfixError('git', `Resolving the pick of ${s.original.slice(0, 12)} failed: ${reason}`, {
      runbookRef: 'D3',
      details: { operation: 'resolve', reason },
      cause: e,
    });
  }
}

async function finish(
  client: GitLabClient,
  store: GitLabObjectStore,
  s: RunSettings,
  plan: MergePlan,
  resolutions: ReadonlyMap<string, Resolution>,
  conflictPaths: readonly string[],
  advertisement: Promise<Advertisement> | undefined,
): Promise<ResolveConflictOutcome | HotfixError> {
  const message = pickMessage(plan.picked.message, s.original, s.appendTrailer);
  const built = await buildResolvedCommit(store, plan, resolutions, conflictPaths, { committer: s.committer, message });
  if (isHotfixError(built)) return built;
  const ref = `refs/heads/${s.branch}`;
  const pushed = await smartHttpPush({
    url: s.gitUrl,
    username: s.gitUsername,
    token: s.gitToken,
    ref,
    oldOid: s.releaseHead,
    newOid: built.commit,
    objects: built.objects,
    ...(s.fetch ? { fetch: s.fetch } : {}),
    ...(advertisement ? { advertisement } : {}),
  });
  if (pushed.isErr()) return pushed.error;
  const after = await client.branch(s.project, s.branch);
  const releaseAfter = after.isOk() ? after.value.commit.id : built.commit;
  const verified = after.isOk() && releaseAfter === built.commit;
  const observedAt = isoNow(client.clock);
  const resolved = conflictPaths.length > 0;
  return {
    kind: resolved ? 'resolved' : 'picked',
    project: s.project,
    branch: s.branch,
    original: s.original,
    commit: built.commit,
    tree: built.tree,
    releaseBefore: s.releaseHead,
    releaseAfter,
    resolvedPaths: conflictPaths,
    changedPaths: built.changedPaths,
    stats: stats(store, pushed.value.objectsSent, pushed.value.bytesSent),
    ...(resolved
      ? {
          record: {
            apiUrl: `${client.gitlabUrl}/api/v4/projects/${encodeURIComponent(s.project)}/repository/commits/${built.commit}`,
            observedAt,
            originalSha: s.original,
            paths: [...conflictPaths],
            resolvedBy: s.resolvedBy,
            resultTree: built.tree,
            verified,
          },
        }
      : {}),
  };
}

/** Marks a workspace as pushed, so a repeated `continue` reports instead of pushing again. */
export async function markPushed(dir: string, state: WorkspaceState, outcome: ResolveConflictOutcome): Promise<void> {
  if (outcome.kind !== 'resolved' && outcome.kind !== 'picked') return;
  await writeState(dir, { ...state, pushed: outcome as unknown as NonNullable<WorkspaceState['pushed']> });
}

function toResolution(answer: Exclude<ResolverAnswer, null | undefined>): Resolution {
  if (typeof answer === 'string') return { content: Buffer.from(answer, 'utf8') };
  if (answer instanceof Uint8Array) return { content: answer };
  return { delete: true };
}

function gaveUp(s: RunSettings, paths: readonly string[]): HotfixError {
  return hotfixError('conflict', `The resolver gave up on ${paths.join(', ')}; release was not changed.`, {
    runbookRef: 'D3',
    details: { project: s.project, sha: s.original, branch: s.branch, paths },
  });
}

function stats(store: GitLabObjectStore, objectsSent: number, bytesSent: number): ResolveStats {
  const { objectsRead, bytesRead, requests } = store.stats;
  return { objectsFetched: objectsRead, bytesFetched: bytesRead, requests, objectsSent, bytesSent };
}
