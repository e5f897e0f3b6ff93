/**
 * assertNoDrift: proves release holds exactly the intended change (S3, E1) and, when
 * asked, that staging runs exactly release (E5). Returns a typed drift report, never a
 * bare boolean; any drift cites R3: stop and recover release before deploying again.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import {
  type ChangeComparison,
  type ChangeSource,
  changeIdentity,
  changePath,
  compareChanges,
  compareIdentities,
} from '../_internal/change-identity.js';
import { createGitLabObjectStore } from '../_internal/gitlab-object-store.js';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { hasTrailerFor, trailerShas } from '../_internal/release-scan.js';
import { isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

/** Kinds of drift the report can name. */
export type DriftKind =
  | 'extra-commit'
  | 'missing-pick'
  | 'content-mismatch'
  | 'rewritten'
  | 'moved-since-pick'
  | 'compare-incomplete'
  | 'deployed-other-sha'
  | 'health-disagrees';

/** One commit found on release between the two heads, and what it is. */
export interface ReleaseCommit {
  readonly sha: string;
  readonly title: string;
  readonly author: string;
  /** `rewritten`: a commit of the old head that release no longer holds. */
  /** `intended-merge`: the release merge request's merge commit (merge-request pick mode), named in `mergeCommits`. */
  readonly classification: 'intended-pick' | 'intended-merge' | 'unexpected' | 'content-mismatch' | 'rewritten';
  /** The original commit it picks, when it is (or claims to be) a pick. */
  readonly original?: string;
  /** The paths that make it drift: those whose change differs from the original's, or all it changes. */
  readonly paths?: readonly string[];
  /**
   * `git patch-id --stable` of this commit and of its original, and whether they are
   * equal (absent ids: GitLab omitted a diff, or it lacks what git hashes). Informative only:
   * the verdict is the exact content identity, since git ignores whitespace (a re-indented
   * pick keeps its patch-id) and hashes context (a pick onto another base changes it).
   */
  readonly patchId?: {
    readonly pick: string | undefined;
    readonly original: string | undefined;
    readonly equal: boolean;
  };
}

/** One path of the content comparison. */
export interface PathDrift {
  readonly path: string;
  readonly status: 'match' | 'differs' | 'unexpected' | 'missing';
}

/** The drift report (storable in the evidence bundle). */
export interface DriftReport {
  readonly ok: boolean;
  readonly runbookRef: 'R3';
  readonly observedAt: string;
  readonly project: string;
  readonly releaseBefore: string;
  readonly releaseNow: string;
  readonly kinds: readonly DriftKind[];
  readonly commits: readonly ReleaseCommit[];
  readonly missing: readonly string[];
  readonly paths: readonly PathDrift[];
  readonly environment?: {
    readonly releaseHead: string;
    readonly deployedSha?: string;
    readonly healthSha?: string;
    readonly disagreements: readonly { source: 'deployment' | 'health'; sha: string; commitsBehind?: number }[];
  };
  /** Every SHA the report names as drift, for the operator and for R3. */
  readonly offendingShas: readonly string[];
}

/** Options of `assertNoDrift`. */
export const assertNoDriftOptionsSchema = z.object({
  /** The target project. */
  project: z.string().min(1),
  /** Release head recorded before the promotion. */
  releaseBefore: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex SHA'),
  /** The original commits that were meant to be picked. */
  intendedPicks: z.array(z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex SHA')).min(1),
  /** Release head now; read from GitLab when omitted. */
  releaseNow: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  /** The head the promotion itself left (after the pick): a later head means someone pushed since. */
  releaseAfterPick: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  branch: z.string().min(1).default('release'),
  /**
   * Merge commits that are part of the intended change: the release merge request's (merge-request pick
   * mode). Such a commit with two parents is classified `intended-merge`; the content check still holds
   * the whole change between the heads to the originals'.
   */
  mergeCommits: z.array(z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex SHA')).default([]),
  /** Paths whose content was resolved by hand (D3): their content may differ from the original's. */
  resolvedPaths: z.array(z.string()).default([]),
  /** Most commits allowed between the heads before the check refuses (bounded cost). */
  maxCommits: z.number().int().min(1).max(1000).default(100),
  /** Also check the environment: the deployed SHA and the health endpoint's. */
  environment: z.object({ deployedSha: z.string().optional(), healthSha: z.string().optional() }).optional(),
});

/** Options of `assertNoDrift` as callers write them. */
export type AssertNoDriftOptions = z.input<typeof assertNoDriftOptionsSchema>;

/**
 * Compares release before and now: lists the commits between them and classifies each
 * as an intended pick (trailer, or no trailer at all, AND the exact same change per path:
 * whitespace counts, context does not; where GitLab omitted a diff the blobs are compared),
 * an unexpected commit, or a pick whose content differs, naming the paths; lists intended picks that are missing; detects release
 * being rewritten (the old head is no longer an ancestor) and release moving after the
 * pick; compares the content path by path; and, with `environment`, checks that the
 * deployed SHA and the health endpoint's SHA equal release's head. Reads are bounded:
 * compare between the two heads only, never release's whole history.
 *
 * Errors: `invalid-input`, `pagination-limit` (more than `maxCommits` between the heads),
 * `gitlab-not-found`, transport errors. Drift itself is in the report (`ok: false`).
 *
 * @example
 * ```ts
 * const report = await assertNoDrift(client, { project: 'evenergi/charging-api', releaseBefore, intendedPicks: [sha] });
 * if (report.isOk() && !report.value.ok) console.error(report.value.kinds, report.value.offendingShas);
 * ```
 * @see S3 E1 E5 R3
 */
export function assertNoDrift(
  client: GitLabClient,
  options: AssertNoDriftOptions,
): ResultAsync<DriftReport, HotfixError> {
  const parsed = parseOptions(assertNoDriftOptionsSchema, options, 'drift-check');
  if (parsed.isErr()) return errAsync(parsed.error);
  return fromBody(check(client, parsed.value));
}

/** The forward comparison the drift check and the deployed-commits record rest on: `base..head`, straight. */
function compareForward(client: GitLabClient, project: string, base: string, head: string) {
  return client.compare(project, base, head, { straight: true });
}

/** Every commit `head` holds beyond `base`, as {@link commitsBeyond} reads them. */
export interface CommitsBeyond {
  readonly base: string;
  readonly head: string;
  readonly commits: readonly { readonly sha: string; readonly title: string }[];
  /** False when GitLab reported the comparison incomplete (`compare_timeout`) or the list was cut at `maxCommits`. */
  readonly exhaustive: boolean;
  readonly observedAt: string;
}

/**
 * Lists the commits `head` holds beyond `base` with the same GitLab comparison {@link assertNoDrift}
 * classifies (compare `base..head`, straight): what a deployment of `head` ran beyond the release head a
 * promotion started from (E1, E5). At most `maxCommits` are kept (then `exhaustive` is false).
 *
 * Errors: `gitlab-not-found` (an unknown commit), transport errors.
 * @see E1 E5 R3
 */
export function commitsBeyond(
  client: GitLabClient,
  project: string,
  base: string,
  head: string,
  maxCommits = 1000,
): ResultAsync<CommitsBeyond, HotfixError> {
  return compareForward(client, project, base, head).map((cmp) => ({
    base,
    head,
    commits: cmp.commits.slice(0, maxCommits).map((c) => ({ sha: c.id, title: c.title ?? '' })),
    exhaustive: !cmp.compare_timeout && cmp.commits.length <= maxCommits,
    observedAt: isoNow(client.clock),
  }));
}

async function check(client: GitLabClient, o: z.output<typeof assertNoDriftOptionsSchema>): Promise<DriftReport> {
  const releaseNow = o.releaseNow ?? (await must(client.branch(o.project, o.branch))).commit.id;
  const kinds = new Set<DriftKind>();
  const offending = new Set<string>();
  const store = createGitLabObjectStore(client, o.project);
  const commits: ReleaseCommit[] = [];
  const source = async (sha: string, parent?: string): Promise<ChangeSource> => ({
    commit: sha,
    parent: parent ?? (await must(client.commit(o.project, sha))).parent_ids[0],
    files: (await must(client.commitDiff(o.project, sha, { maxPages: 10 }))).items,
  });
  const bounded = (n: number, what: string) => {
    if (n <= o.maxCommits) return;
    throw hotfixError(
      'pagination-limit',
      `Release ${what} by ${n} commits (more than ${o.maxCommits}); that is not a hotfix promotion (R3).`,
      {
        runbookRef: 'R3',
        details: { route: '/projects/:id/repository/compare', maxPages: 1, perPage: o.maxCommits },
      },
    );
  };

  // Rewritten: commits of the old head that the new head no longer reaches, each with its paths.
  const back = await must(client.compare(o.project, releaseNow, o.releaseBefore, { straight: false }));
  bounded(back.commits.length, 'lost');
  for (const c of back.commits) {
    kinds.add('rewritten');
    offending.add(c.id);
    const files = (await must(client.commitDiff(o.project, c.id, { maxPages: 10 }))).items;
    commits.push({
      sha: c.id,
      title: c.title,
      author: c.author_name,
      classification: 'rewritten',
      paths: files.map(changePath),
    });
  }

  const fwd = await must(compareForward(client, o.project, o.releaseBefore, releaseNow));
  bounded(fwd.commits.length, 'moved');
  if (fwd.compare_timeout) kinds.add('compare-incomplete');

  // What each intended original changes.
  const originals = new Map<string, ChangeSource>();
  for (const sha of o.intendedPicks) originals.set(sha, await source(sha));

  const matched = new Set<string>();
  const ignorePaths = o.resolvedPaths;
  for (const c of fwd.commits) {
    if (o.mergeCommits.includes(c.id)) {
      const parents = c.parent_ids ?? (await must(client.commit(o.project, c.id))).parent_ids;
      if (parents.length > 1) {
        commits.push({ sha: c.id, title: c.title, author: c.author_name, classification: 'intended-merge' });
        continue;
      }
    }
    const message = c.message ?? (await must(client.commit(o.project, c.id))).message;
    const claimed = o.intendedPicks.find((sha) => hasTrailerFor(message, sha));
    const pick = await source(c.id, c.parent_ids?.[0]);
    const against = async (orig: string) => compareChanges(store, originals.get(orig)!, pick, { ignorePaths });
    const patchOf = (cmp: ChangeComparison) => ({
      pick: cmp.patchIds?.right,
      original: cmp.patchIds?.left,
      equal: cmp.patchIds?.equal ?? false,
    });
    const base = { sha: c.id, title: c.title, author: c.author_name };
    const differing = (cmp: ChangeComparison) => cmp.paths.filter((p) => p.status !== 'match').map((p) => p.path);
    if (claimed) {
      matched.add(claimed);
      const cmp = await against(claimed);
      if (cmp.same) {
        commits.push({ ...base, classification: 'intended-pick', original: claimed, patchId: patchOf(cmp) });
      } else {
        kinds.add('content-mismatch');
        offending.add(c.id);
        commits.push({
          ...base,
          classification: 'content-mismatch',
          original: claimed,
          patchId: patchOf(cmp),
          paths: differing(cmp),
        });
      }
      continue;
    }
    let byContent: { sha: string; cmp: ChangeComparison } | undefined;
    if (trailerShas(message).length === 0) {
      for (const sha of o.intendedPicks) {
        if (matched.has(sha)) continue;
        const cmp = await against(sha);
        if (cmp.same) {
          byContent = { sha, cmp };
          break;
        }
      }
    }
    if (byContent) {
      matched.add(byContent.sha);
      commits.push({
        ...base,
        classification: 'intended-pick',
        original: byContent.sha,
        patchId: patchOf(byContent.cmp),
      });
    } else {
      kinds.add('extra-commit');
      offending.add(c.id);
      commits.push({ ...base, classification: 'unexpected', paths: pick.files.map(changePath) });
    }
  }
  const missing = o.intendedPicks.filter((sha) => !matched.has(sha));
  if (missing.length) {
    kinds.add('missing-pick');
    for (const m of missing) offending.add(m);
  }
  if (o.releaseAfterPick && o.releaseAfterPick !== releaseNow) kinds.add('moved-since-pick');

  // Content: the change between the heads equals the originals' changes, path by path.
  const expected = new Map<string, string>();
  for (const orig of originals.values()) for (const [p, d] of await changeIdentity(store, orig)) expected.set(p, d);
  const actual = await changeIdentity(store, { commit: releaseNow, parent: o.releaseBefore, files: fwd.diffs });
  const statusOf = { match: 'match', differs: 'differs', 'only-left': 'missing', 'only-right': 'unexpected' } as const;
  const paths: PathDrift[] = compareIdentities(expected, actual, new Set(ignorePaths)).paths.map((p) => ({
    path: p.path,
    status: statusOf[p.status],
  }));
  // A silently different resolution shows as a path whose change differs (or vanished) while the pick is present.
  if (
    o.intendedPicks.length === 1 &&
    !kinds.has('missing-pick') &&
    paths.some((p) => p.status === 'differs' || p.status === 'missing')
  ) {
    kinds.add('content-mismatch');
  }

  let environment: DriftReport['environment'];
  if (o.environment) {
    const disagreements: { source: 'deployment' | 'health'; sha: string; commitsBehind?: number }[] = [];
    for (const [source, sha] of [
      ['deployment', o.environment.deployedSha],
      ['health', o.environment.healthSha],
    ] as const) {
      if (!sha || sha === releaseNow) continue;
      const behind = await client.compare(o.project, sha, releaseNow, { straight: false });
      disagreements.push({ source, sha, ...(behind.isOk() ? { commitsBehind: behind.value.commits.length } : {}) });
      kinds.add(source === 'deployment' ? 'deployed-other-sha' : 'health-disagrees');
      offending.add(sha);
    }
    environment = {
      releaseHead: releaseNow,
      ...(o.environment.deployedSha ? { deployedSha: o.environment.deployedSha } : {}),
      ...(o.environment.healthSha ? { healthSha: o.environment.healthSha } : {}),
      disagreements,
    };
  }

  return {
    ok: kinds.size === 0,
    runbookRef: 'R3',
    observedAt: isoNow(client.clock),
    project: o.project,
    releaseBefore: o.releaseBefore,
    releaseNow,
    kinds: [...kinds],
    commits,
    missing,
    paths,
    ...(environment ? { environment } : {}),
    offendingShas: [...offending],
  };
}
