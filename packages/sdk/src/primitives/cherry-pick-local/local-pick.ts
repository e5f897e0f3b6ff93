/**
 * The shared body of `cherryPickLocal` and `revertLocal`: parse options, read the commits,
 * merge trees through the object store, write the commit and optionally move the ref with a
 * compare-and-swap. Every failure becomes a `HotfixError`; nothing throws out of here.
 */
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { mergeTrees } from '../../_internal/merge/merge-trees.js';
import type { CommitData, ConflictReason, GitSignature } from '../../_internal/merge/types.js';
import { createGitdirStore, type GitdirStore } from '../../_internal/object-store.js';
import { zodIssues } from '../../_internal/zod-issues.js';
import { type HotfixError, hotfixError } from '../../errors.js';

const signatureSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  /** ISO 8601 time of the commit; now when omitted. */
  date: z.iso.datetime({ offset: true }).optional(),
  /** Minutes east of UTC of the committer's time zone (e.g. 60 for UTC+01:00); 0 by default. */
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(0),
});

/** The options shared by both primitives; one schema holds every option and its default. */
export const localPickOptionsSchema = z.object({
  gitdir: z.string().min(1),
  ref: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{4,40}$/, 'a commit id (4 to 40 hex digits)'),
  mainline: z.number().int().min(1).optional(),
  committer: signatureSchema,
  appendTrailer: z.boolean().default(true),
  updateRef: z.boolean().default(false),
  cache: z.custom<object>((v) => typeof v === 'object' && v !== null).optional(),
});

/** Options as callers write them. */
export type LocalPickInput = z.input<typeof localPickOptionsSchema>;

/** A blob (or gitlink) id with its git mode, e.g. `{ mode: '100644', oid: '…' }`. */
export interface LocalEntry {
  /** Six-digit git mode: `100644`, `100755`, `120000` (symlink) or `160000` (gitlink). */
  readonly mode: string;
  /** The object id. */
  readonly oid: string;
}

export type { ConflictReason as LocalConflictReason } from '../../_internal/merge/types.js';

/** A conflicted path, as data for a resolver. */
export interface LocalConflict {
  /** Repository-relative path. */
  readonly path: string;
  /** Why it conflicts. */
  readonly reason: ConflictReason;
  /** The version in the merge base (the picked commit's parent; the commit itself for a revert). */
  readonly base: LocalEntry | undefined;
  /** The version on the ref (release). */
  readonly ours: LocalEntry | undefined;
  /** The version in the picked commit (its parent for a revert). */
  readonly theirs: LocalEntry | undefined;
  /** Merged bytes with `<<<<<<< ours` / `=======` / `>>>>>>> theirs` markers (text conflicts only). */
  readonly merged?: Uint8Array;
  /** True when git might merge this path cleanly (similarity or directory renames, not detected here). */
  readonly unsupported?: boolean;
}

/** Objects and bytes read and written through the object store during one call. */
export interface LocalPickStats {
  /** Objects read (trees, blobs, commits). */
  readonly objectsRead: number;
  /** Bytes of object content read. */
  readonly bytesRead: number;
  /** Objects written. */
  readonly objectsWritten: number;
  /** Bytes of object content written. */
  readonly bytesWritten: number;
}

/**
 * The outcome of a local pick or revert: `clean` (a new commit whose single parent is `head`),
 * `conflict` (nothing written but merged blobs), or `empty` (the change is already there).
 */
export type LocalPickResult =
  | {
      readonly kind: 'clean';
      readonly ref: string;
      readonly head: string;
      readonly tree: string;
      readonly commit: string;
      readonly refUpdated: boolean;
      readonly stats: LocalPickStats;
    }
  | {
      readonly kind: 'conflict';
      readonly ref: string;
      readonly head: string;
      readonly conflicts: readonly LocalConflict[];
      readonly stats: LocalPickStats;
    }
  | { readonly kind: 'empty'; readonly ref: string; readonly head: string; readonly stats: LocalPickStats };

/** Runs a pick (`'pick'`) or a revert (`'revert'`) as described in each primitive's TSDoc. */
export function runLocalPick(
  mode: 'pick' | 'revert',
  input: LocalPickInput,
): ResultAsync<LocalPickResult, HotfixError> {
  const parsed = localPickOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    const field = issues[0]?.pointer || 'options';
    return errAsync(
      hotfixError('invalid-input', `Invalid option ${field}: ${issues[0]?.message ?? 'invalid'}.`, {
        runbookRef: 'S2',
        details: { pointer: issues[0]?.pointer ?? '', issues },
      }),
    );
  }
  const options = parsed.data;
  const store = createGitdirStore({ gitdir: options.gitdir, ...(options.cache ? { cache: options.cache } : {}) });
  const stage = { operation: 'resolve-ref' };
  return ResultAsync.fromPromise(execute(mode, options, store, stage), (cause) =>
    isKnown(cause)
      ? cause.error
      : hotfixError('git', `Local ${mode === 'pick' ? 'cherry-pick' : 'revert'} failed at ${stage.operation}.`, {
          runbookRef: mode === 'pick' ? 'D3' : 'R2',
          details: { operation: stage.operation, reason: cause instanceof Error ? cause.message : String(cause) },
          cause,
        }),
  );
}

class Known extends Error {
  constructor(readonly error: HotfixError) {
    super(error.message);
  }
}

function isKnown(value: unknown): value is Known {
  return value instanceof Known;
}

type Options = z.output<typeof localPickOptionsSchema>;

async function execute(
  mode: 'pick' | 'revert',
  options: Options,
  store: GitdirStore,
  stage: { operation: string },
): Promise<LocalPickResult> {
  const ref = await store.expandRef(options.ref);
  const head = await store.resolveRef(ref);
  stage.operation = 'read-commits';
  const sha = await store.resolveRef(options.commit);
  const picked = await store.readCommit(sha);
  const ours = await store.readCommit(head);
  const parent = pickParent(picked, options.mainline);
  const parentTree = parent === undefined ? undefined : (await store.readCommit(parent)).tree;
  const [base, theirs] = mode === 'pick' ? [parentTree, picked.tree] : [picked.tree, parentTree];
  stage.operation = 'merge-trees';
  const merged = await mergeTrees(store, { base, ours: ours.tree, theirs });
  if (merged.kind === 'conflict') {
    return { kind: 'conflict', ref, head, conflicts: merged.conflicts, stats: { ...store.stats } };
  }
  if (merged.tree === ours.tree) return { kind: 'empty', ref, head, stats: { ...store.stats } };
  stage.operation = 'write-commit';
  const committer = signatureOf(options.committer);
  const message =
    mode === 'pick'
      ? pickMessage(picked.message, sha, options.appendTrailer)
      : revertMessage(picked.message, sha, options.mainline === undefined ? undefined : parent);
  const commit = await store.writeCommit({
    tree: merged.tree,
    parents: [head],
    author: mode === 'pick' ? picked.author : committer,
    committer,
    message,
  });
  let refUpdated = false;
  if (options.updateRef) {
    stage.operation = 'update-ref';
    const swap = await store.compareAndSwapRef(ref, head, commit);
    if (!swap.swapped) {
      throw new Known(
        hotfixError(
          'push-rejected',
          `${ref} moved from ${head} to ${swap.found} during the pick; nothing was changed.`,
          {
            runbookRef: 'D3',
            retryable: true,
            details: { ref, expectedOld: head, reason: `ref is now ${swap.found}` },
          },
        ),
      );
    }
    refUpdated = true;
  }
  return { kind: 'clean', ref, head, tree: merged.tree, commit, refUpdated, stats: { ...store.stats } };
}

function pickParent(picked: CommitData, mainline: number | undefined): string | undefined {
  const n = picked.parents.length;
  const invalid = (message: string) =>
    new Known(
      hotfixError('invalid-input', message, {
        runbookRef: 'S2',
        details: { pointer: '/mainline', issues: [{ pointer: '/mainline', message }] },
      }),
    );
  if (n > 1 && mainline === undefined) throw invalid(`The commit is a merge of ${n} parents; pass mainline.`);
  if (n <= 1 && mainline !== undefined) throw invalid('mainline was given but the commit is not a merge.');
  if (mainline !== undefined && mainline > n) throw invalid(`mainline ${mainline} exceeds the ${n} parents.`);
  return picked.parents[(mainline ?? 1) - 1];
}

function signatureOf(s: Options['committer']): GitSignature {
  const ms = s.date === undefined ? Date.now() : Date.parse(s.date);
  return {
    name: s.name,
    email: s.email,
    timestamp: Math.floor(ms / 1000),
    timezoneOffset: s.utcOffsetMinutes === 0 ? 0 : -s.utcOffsetMinutes,
  };
}

function pickMessage(message: string, sha: string, trailer: boolean): string {
  const body = message.replace(/\s+$/, '');
  return trailer ? `${body}\n\n(cherry picked from commit ${sha})\n` : `${body}\n`;
}

function revertMessage(message: string, sha: string, mainlineParent: string | undefined): string {
  const title = message.split('\n', 1)[0] ?? '';
  const tail = mainlineParent ? `, reversing\nchanges made to ${mainlineParent}` : '';
  return `Revert "${title}"\n\nThis reverts commit ${sha}${tail}.\n`;
}
