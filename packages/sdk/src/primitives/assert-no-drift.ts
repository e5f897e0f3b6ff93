/**
 * assertNoDrift: proves release holds exactly the intended change (S3, E1) and, when
 * asked, that staging runs exactly release (E5). Returns a typed drift report, never a
 * bare boolean; any drift cites R3: stop and recover release before deploying again.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { changeDigestsByPath } from '../_internal/change-digest.js';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { patchIdOfGitLabDiffs } from '../_internal/patch-id/gitlab-patch.js';
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
  readonly classification: 'intended-pick' | 'unexpected' | 'content-mismatch';
  /** The original commit it picks, when it is (or claims to be) a pick. */
  readonly original?: string;
  /**
   * `git patch-id --stable` of this commit and of its original, and whether they are
   * equal. Equal ids prove the same change; different ids with the same changed lines mean
   * only the context differed (release's neighbourhood of the change), which is still the
   * intended pick.
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
 * as an intended pick (trailer AND same change per path), an unexpected commit, or a
 * pick whose content differs; lists intended picks that are missing; detects release
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

async function check(client: GitLabClient, o: z.output<typeof assertNoDriftOptionsSchema>): Promise<DriftReport> {
  const releaseNow = o.releaseNow ?? (await must(client.branch(o.project, o.branch))).commit.id;
  const kinds = new Set<DriftKind>();
  const offending = new Set<string>();

  // Rewritten: commits of the old head that the new head no longer reaches.
  const back = await must(client.compare(o.project, releaseNow, o.releaseBefore, { straight: false }));
  if (back.commits.length > 0) {
    kinds.add('rewritten');
    for (const c of back.commits) offending.add(c.id);
  }

  const fwd = await must(client.compare(o.project, o.releaseBefore, releaseNow, { straight: true }));
  if (fwd.commits.length > o.maxCommits) {
    throw hotfixError(
      'pagination-limit',
      `Release moved by ${fwd.commits.length} commits (more than ${o.maxCommits}); that is not a hotfix promotion (R3).`,
      {
        runbookRef: 'R3',
        details: { route: '/projects/:id/repository/compare', maxPages: 1, perPage: o.maxCommits },
      },
    );
  }
  if (fwd.compare_timeout) kinds.add('compare-incomplete');

  // What each intended original changes, path by path.
  const originalByPath = new Map<string, Map<string, string>>();
  const originalPatchId = new Map<string, string | undefined>();
  for (const sha of o.intendedPicks) {
    const diff = await must(client.commitDiff(o.project, sha, { maxPages: 10 }));
    originalByPath.set(sha, changeDigestsByPath(diff.items));
    originalPatchId.set(sha, patchIdOfGitLabDiffs(diff.items).id);
  }

  const commits: ReleaseCommit[] = [];
  const matched = new Set<string>();
  for (const c of fwd.commits) {
    const message = c.message ?? (await must(client.commit(o.project, c.id))).message;
    const claimed = o.intendedPicks.find((sha) => hasTrailerFor(message, sha));
    const rawDiff = (await must(client.commitDiff(o.project, c.id, { maxPages: 10 }))).items;
    const diff = changeDigestsByPath(rawDiff);
    const pickPatchId = patchIdOfGitLabDiffs(rawDiff).id;
    const patchOf = (orig: string) => ({
      pick: pickPatchId,
      original: originalPatchId.get(orig),
      equal: pickPatchId !== undefined && pickPatchId === originalPatchId.get(orig),
    });
    const sameAs = (orig: string) => patchOf(orig).equal || sameChange(originalByPath.get(orig), diff, o.resolvedPaths);
    const base = { sha: c.id, title: c.title, author: c.author_name };
    if (claimed && sameAs(claimed)) {
      matched.add(claimed);
      commits.push({ ...base, classification: 'intended-pick', original: claimed, patchId: patchOf(claimed) });
    } else if (claimed) {
      matched.add(claimed);
      kinds.add('content-mismatch');
      offending.add(c.id);
      commits.push({ ...base, classification: 'content-mismatch', original: claimed, patchId: patchOf(claimed) });
    } else {
      const byContent =
        trailerShas(message).length === 0 ? o.intendedPicks.find((sha) => !matched.has(sha) && sameAs(sha)) : undefined;
      if (byContent) {
        matched.add(byContent);
        commits.push({ ...base, classification: 'intended-pick', original: byContent, patchId: patchOf(byContent) });
      } else {
        kinds.add('extra-commit');
        offending.add(c.id);
        commits.push({ ...base, classification: 'unexpected' });
      }
    }
  }
  const missing = o.intendedPicks.filter((sha) => !matched.has(sha));
  if (missing.length) {
    kinds.add('missing-pick');
    for (const m of missing) offending.add(m);
  }
  if (o.releaseAfterPick && o.releaseAfterPick !== releaseNow) kinds.add('moved-since-pick');

  // Content: the diff between the heads equals the originals' diffs, path by path.
  const expected = new Map<string, string>();
  for (const m of originalByPath.values()) for (const [p, d] of m) expected.set(p, d);
  const actual = changeDigestsByPath(fwd.diffs);
  const paths: PathDrift[] = [];
  for (const [p, d] of actual) {
    const e = expected.get(p);
    if (e === undefined) paths.push({ path: p, status: 'unexpected' });
    else paths.push({ path: p, status: e === d || o.resolvedPaths.includes(p) ? 'match' : 'differs' });
  }
  for (const p of expected.keys()) if (!actual.has(p)) paths.push({ path: p, status: 'missing' });
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

function sameChange(
  original: Map<string, string> | undefined,
  pick: Map<string, string>,
  resolved: readonly string[],
): boolean {
  if (!original || original.size !== pick.size) return false;
  for (const [p, d] of original) {
    if (resolved.includes(p) && pick.has(p)) continue;
    if (pick.get(p) !== d) return false;
  }
  return true;
}
