/**
 * resolveConflict / continueConflictResolution (D3): resolve a cherry-pick that GitLab could not
 * apply, locally and sparsely (only the trees along the changed paths and the few blobs are read
 * through the repository API; no clone), verify the result and push exactly the new objects with
 * a compare-and-swap on release.
 */
import { readdir } from 'node:fs/promises';
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { signatureFromIso } from '../_internal/git-objects.js';
import { zodIssues } from '../_internal/zod-issues.js';
import { isoNow } from '../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { gitUsernameFor } from '../token-kinds.js';
import {
  type ConflictResolver,
  markPushed,
  type ResolveConflictOutcome,
  type RunSettings,
  runResolution,
} from './resolve-conflict/run.js';
import { readState, WorkspaceError } from './resolve-conflict/workspace.js';

export type { ConflictSide, ConflictToResolve } from './resolve-conflict/merge-plan.js';
export type {
  ConflictContext,
  ConflictResolver,
  ResolveConflictOutcome,
  ResolverAnswer,
  ResolveStats,
} from './resolve-conflict/run.js';

const sha = z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-hex commit id');
const fn = <T>() => z.custom<T>((v) => typeof v === 'function', 'a function');

const committerSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  /** ISO 8601 time with offset; now (UTC) when omitted. */
  date: z.iso.datetime({ offset: true }).optional(),
});

const gitSchema = {
  /** Personal or project access token used as the HTTP Basic password for the push. */
  gitToken: z.string().min(1),
  /** HTTP Basic user name of the push; by default the one GitLab expects for the client's token kind (see gitUsernameFor). */
  gitUsername: z.string().min(1).optional(),
  /** The repository URL; `<gitlabUrl>/<project>.git` when omitted. Credentials in it are refused. */
  gitUrl: z
    .url()
    .refine(
      (u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u),
      'must not carry a user name or password (give gitToken)',
    )
    .optional(),
  /** Largest blob read for the merge (bytes, default 8 MiB); a larger one is refused as `response-invalid`. */
  maxBlobBytes: z.number().int().min(1).optional(),
  /** Who commits; the author stays the picked commit's author. */
  committer: committerSchema.optional(),
  /** Who resolved, for the evidence record; the committer's name when omitted. */
  resolvedBy: z.string().min(1).max(255).optional(),
  /** Keep git's `(cherry picked from commit <sha>)` trailer (default true). */
  appendTrailer: z.boolean().default(true),
  /** The fetch used for the git push over smart HTTP (the global fetch by default). */
  fetch: fn<typeof fetch>().optional(),
};

/**
 * What the caller already read from GitLab, so {@link resolveConflict} need not read it again
 * (issue 27). Neither is a safety input: the release head is still the one given or read, the
 * merge still reads the three commits' trees, and the push is still a compare-and-swap.
 * @see D3
 */
const knownFactsSchema = z.object({
  /** The token's user as GET /user answered it: the committer's name and no-reply e-mail when `committer` is omitted. */
  user: z.object({ username: z.string().min(1), name: z.string().min(1).optional() }).optional(),
  /**
   * Paths the picked commit's diff names (old and new paths): where to read ahead. Only a hint: a
   * wrong or short list costs reads, never correctness (the hotfix's paths come from the trees).
   */
  changedPaths: z.array(z.string().min(1)).max(10_000).readonly().optional(),
}) satisfies z.ZodType<unknown, KnownFacts>;

/**
 * What a caller of {@link resolveConflict} already read from GitLab (its `known` option): the
 * token's user (`username`, `name`) and the picked commit's changed paths. Neither is trusted for
 * safety: the release head is still given or read, and the push is still a compare-and-swap.
 * @see D3
 */
export interface KnownFacts {
  /** The token's user as GET /user answered it. */
  readonly user?: { readonly username: string; readonly name?: string | undefined } | undefined;
  /** Paths the picked commit's diff names (old and new): where to read ahead. */
  readonly changedPaths?: readonly string[] | undefined;
}

/**
 * Options of {@link resolveConflict}: what to pick (a conflict outcome, or a commit) and how to
 * resolve (a `resolver`, or a `workspaceDir` for a human). A bad option is `invalid-input` naming the field.
 * @see D3
 */
export const resolveConflictOptionsSchema = z
  .object({
    /** The target project whose release branch receives the pick. */
    project: z.string().min(1),
    branch: z.string().min(1).default('release'),
    /** The `conflict` outcome of cherryPickToRelease (its `original`, `releaseHead` and plan are used). */
    conflict: z
      .object({
        kind: z.literal('conflict'),
        original: sha,
        releaseHead: sha,
        plan: z.object({ picks: z.array(z.object({ sha: sha, mainline: z.number().int().optional() })).readonly() }),
      })
      .optional(),
    /** Or the commit to pick, with its mainline parent for a merge commit. */
    commit: sha.optional(),
    mainline: z.number().int().min(1).optional(),
    /** Release head to resolve against (and the push's expected old value); read when omitted. */
    releaseHead: sha.optional(),
    /** Programmatic mode: called for each conflict. */
    resolver: fn<ConflictResolver>().optional(),
    /** Human mode: an empty (or missing) folder to write the conflicted files into. */
    workspaceDir: z.string().min(1).optional(),
    /** What the caller already read (the token's user, the pick's changed paths): those reads are skipped. */
    known: knownFactsSchema.optional(),
    ...gitSchema,
  })
  .superRefine((o, ctx) => {
    if ((o.conflict === undefined) === (o.commit === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['commit'], message: 'give exactly one of conflict or commit' });
    }
    if ((o.resolver === undefined) === (o.workspaceDir === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['resolver'], message: 'give exactly one of resolver or workspaceDir' });
    }
  });

/** Options of {@link resolveConflict} as callers write them. @see D3 */
export type ResolveConflictOptions = z.input<typeof resolveConflictOptionsSchema>;

/**
 * Options of {@link continueConflictResolution}: the workspace folder and the push credentials.
 * @see D3
 */
export const continueConflictOptionsSchema = z.object({
  workspaceDir: z.string().min(1),
  /** Paths whose content as the tool wrote it is the operator's answer (an unchanged file is otherwise ignored). */
  accept: z.array(z.string().min(1)).default([]),
  ...gitSchema,
});

/** Options of {@link continueConflictResolution} as callers write them. @see D3 */
export type ContinueConflictOptions = z.input<typeof continueConflictOptionsSchema>;

function invalidInput(error: z.ZodError): HotfixError {
  const issues = zodIssues(error);
  const field = issues[0]?.pointer || 'options';
  return hotfixError('invalid-input', `Invalid option ${field}: ${issues[0]?.message ?? 'invalid'}.`, {
    runbookRef: 'D3',
    details: { pointer: issues[0]?.pointer ?? '', issues },
  });
}

function wrap(
  work: () => Promise<ResolveConflictOutcome | HotfixError>,
): ResultAsync<ResolveConflictOutcome, HotfixError> {
  return ResultAsync.fromPromise(work(), (e) =>
    isHotfixError(e)
      ? e
      : e instanceof WorkspaceError
        ? e.error
        : hotfixError('git', `Conflict resolution failed: ${String(e)}`, {
            runbookRef: 'D3',
            details: { operation: 'resolve', reason: e instanceof Error ? e.message : String(e) },
            cause: e,
          }),
  ).andThen((r) => (isHotfixError(r) ? errAsync(r) : ResultAsync.fromSafePromise(Promise.resolve(r))));
}

type GitOptions = Omit<z.output<typeof continueConflictOptionsSchema>, 'workspaceDir' | 'accept'>;

async function settings(
  client: GitLabClient,
  o: GitOptions,
  pick: { project: string; branch: string; original: string; mainline: number | undefined; releaseHead: string },
  known: z.output<typeof knownFactsSchema> = {},
): Promise<RunSettings> {
  let committer = o.committer;
  if (committer === undefined) {
    let user = known.user;
    if (user === undefined) {
      const me = await client.currentUser();
      if (me.isErr()) throw me.error;
      user = me.value;
    }
    const host = new URL(client.gitlabUrl).hostname;
    committer = { name: user.name ?? user.username, email: `${user.username}@users.noreply.${host}` };
  }
  return {
    ...pick,
    gitUrl: o.gitUrl ?? `${client.gitlabUrl.replace(/\/+$/, '')}/${pick.project}.git`,
    gitUsername: o.gitUsername ?? gitUsernameFor(client.tokenKind),
    gitToken: o.gitToken,
    committer: signatureFromIso(committer.name, committer.email, committer.date ?? isoNow(client.clock)),
    resolvedBy: o.resolvedBy ?? committer.name,
    appendTrailer: o.appendTrailer,
    ...(o.maxBlobBytes !== undefined ? { maxBlobBytes: o.maxBlobBytes } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(known.changedPaths ? { changedPaths: known.changedPaths } : {}),
  };
}

/**
 * Resolves a conflicting cherry-pick locally and pushes it to release (D3). Reads the picked
 * commit, its (mainline) parent and release through GitLab's repository API on demand (no
 * clone), merges with the local three-way engine, then either asks `resolver` for each conflict
 * (given base/ours/theirs bytes and the text merged with markers; `null` gives up) or, with
 * `workspaceDir`, writes the conflicted files with markers there and returns
 * `awaiting-resolution` (always, even if the local merge is clean: a human confirms before any
 * push; finish with {@link continueConflictResolution}). Before pushing it
 * verifies that no conflict markers remain and that the commit changes nothing but the
 * hotfix's paths and the resolved ones; it keeps the `(cherry picked from commit <sha>)`
 * trailer and the original author, and pushes only the new objects with the ref update
 * `<releaseHead> <new> refs/heads/<branch>`, so the server refuses if release moved. Never forces.
 * A caller that already read the token's user or the pick's diff passes them as `known`, and
 * those reads are skipped (a flow that resolves inside a promotion does).
 *
 * Errors: `invalid-input` (bad option, naming the field), `conflict` (the resolver gave up),
 * `resolution-invalid` (markers left, a path outside the hotfix changed, a file missing),
 * `push-rejected` (release moved or a hook refused; nothing changed), `git` (transport or object
 * failure), and the client's `gitlab-*` / `network` errors.
 *
 * @example
 * ```ts
 * const r = await resolveConflict(client, {
 *   project: 'evenergi/charging-api',
 *   conflict: outcome, // the `conflict` outcome of cherryPickToRelease
 *   gitToken: process.env.GITLAB_TOKEN!,
 *   resolver: (c) => (c.path === 'src/tariff.ts' ? myFix(c.ours?.content) : null),
 * });
 * if (r.isOk() && r.value.kind === 'resolved') console.log(r.value.commit, r.value.stats);
 * ```
 * @see D3
 */
export function resolveConflict(
  client: GitLabClient,
  options: ResolveConflictOptions,
): ResultAsync<ResolveConflictOutcome, HotfixError> {
  const parsed = resolveConflictOptionsSchema.safeParse(options);
  if (!parsed.success) return errAsync(invalidInput(parsed.error));
  const o = parsed.data;
  return wrap(async () => {
    let original = o.commit ?? '';
    let mainline = o.mainline;
    let releaseHead = o.releaseHead;
    if (o.conflict) {
      original = o.conflict.original;
      mainline = o.conflict.plan.picks.find((p) => p.sha === original)?.mainline ?? o.mainline;
      releaseHead = o.conflict.releaseHead;
    }
    if (releaseHead === undefined) {
      const b = await client.branch(o.project, o.branch);
      if (b.isErr()) return b.error;
      releaseHead = b.value.commit.id;
    }
    if (o.workspaceDir !== undefined) {
      const busy = await readdir(o.workspaceDir).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw e;
      });
      if (busy.length > 0) {
        const message = `The workspace ${o.workspaceDir} is not empty; use an empty (or new) folder, or continue the resolution in it.`;
        return hotfixError('invalid-input', message, {
          runbookRef: 'D3',
          details: { pointer: '/workspaceDir', issues: [{ pointer: '/workspaceDir', message }] },
        });
      }
    }
    const pick = { project: o.project, branch: o.branch, original, mainline, releaseHead };
    const s = await settings(client, o, pick, o.known);
    const source = o.resolver
      ? { resolver: o.resolver }
      : { workspaceDir: o.workspaceDir ?? '', resume: false as const };
    return runResolution(client, s, source);
  });
}

/**
 * Finishes a human resolution started by {@link resolveConflict} with `workspaceDir`: reads the
 * operator's files back (every file in the folder outside `.hotfix-resolution/`), redoes the
 * merge against the release head recorded in the state file, verifies and pushes exactly as the
 * resolver mode does. A repeated call after a successful push returns the same outcome.
 *
 * Errors: `invalid-input` (no state file in `workspaceDir`), `resolution-invalid` (markers left,
 * a conflicted file missing, an added file outside the hotfix), `push-rejected`, `git`.
 *
 * @example
 * ```ts
 * // after editing ./resolve/src/tariff.ts
 * const r = await continueConflictResolution(client, { workspaceDir: './resolve', gitToken: token });
 * ```
 * @see D3
 */
export function continueConflictResolution(
  client: GitLabClient,
  options: ContinueConflictOptions,
): ResultAsync<ResolveConflictOutcome, HotfixError> {
  const parsed = continueConflictOptionsSchema.safeParse(options);
  if (!parsed.success) return errAsync(invalidInput(parsed.error));
  const o = parsed.data;
  return wrap(async () => {
    const state = await readState(o.workspaceDir);
    if (state === undefined) {
      const message = `No resolution state in ${o.workspaceDir}; start with resolveConflict({ workspaceDir }).`;
      return hotfixError('invalid-input', message, {
        runbookRef: 'D3',
        details: { pointer: '/workspaceDir', issues: [{ pointer: '/workspaceDir', message }] },
      });
    }
    let releaseHead = state.releaseHead;
    if (state.pushed) {
      // Believed only while GitLab shows release at the pushed commit; otherwise the merge is
      // redone against release as it is now (a pick already there comes back `already-applied`).
      const b = await client.branch(state.project, state.branch);
      if (b.isErr()) return b.error;
      if (b.value.commit.id === state.pushed.commit) return state.pushed as unknown as ResolveConflictOutcome;
      releaseHead = b.value.commit.id;
    }
    const s = await settings(client, o, { ...state, mainline: state.mainline, releaseHead });
    const outcome = await runResolution(client, s, {
      workspaceDir: o.workspaceDir,
      resume: true,
      state,
      accept: o.accept,
    });
    if (!isHotfixError(outcome) && outcome.kind !== 'awaiting-resolution') {
      await markPushed(o.workspaceDir, state, outcome);
    }
    return outcome;
  });
}
