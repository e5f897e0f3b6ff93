/**
 * E1/E5 (issue 23): what staging really ran. The deployed-commits record lists every commit the
 * deployment ran beyond the release head the promotion started from; it must be exactly this
 * promotion's picks, so a bundle that deployed someone else's unvalidated pick cannot pass.
 */
import type {
  DeployedCommitsRecord,
  PickRecord,
  ReleaseMergeRequestRecord,
  TargetRecord,
} from '@hotfix-release/evidence';
import type { ControlOutcome } from '../control-result.js';
import { type ControlContext, orchestratorFor, outcome, targetPointer } from './control-context.js';

/**
 * The commits this promotion may deploy beyond the pick's `headBefore`: every picked commit (the pick
 * record says release went from `headBefore` to `headAfter` through exactly these, however each was found:
 * created now, or found by a resumed run); none when the pick was already applied (release did not move).
 * In merge-request pick mode (issue 19) the release MR's merge commit is part of it too.
 * Internal.
 */
export function expectedDeployedCommits(pick: PickRecord, releaseMr?: ReleaseMergeRequestRecord): string[] {
  if (pick.headBefore === pick.headAfter) return [];
  const merge = releaseMergeCommit(pick, releaseMr);
  return [...pick.picks.map((p) => p.pickedSha), ...(merge ? [merge] : [])];
}

/**
 * The release MR's merge commit when release's head after the pick is exactly that merge commit, observed
 * with two parents, the second the picked commit the MR carried (merge-request pick mode). Internal.
 */
export function releaseMergeCommit(
  pick: PickRecord,
  releaseMr: ReleaseMergeRequestRecord | undefined,
): string | undefined {
  const o = releaseMr?.observed;
  if (releaseMr?.state !== 'merged' || o?.method !== 'merge-commit') return undefined;
  const last = pick.picks[pick.picks.length - 1];
  const [first, second] = o.mergeCommitParents ?? [];
  if (o.releaseHead !== pick.headAfter || first !== pick.headBefore || !last || second !== last.pickedSha)
    return undefined;
  return pick.headAfter;
}

function describe(commits: readonly { sha: string; title: string }[]): string {
  return commits.map((c) => `${c.sha.slice(0, 12)}${c.title ? ` "${c.title}"` : ''}`).join(', ');
}

/**
 * Judges the deployed-commits record against the pick record: same base, the deployment E4 recorded,
 * a complete comparison, no foreign commit, no missing pick. Undefined when it holds. Internal.
 */
export function judgeDeployedCommits(
  ctx: ControlContext,
  pick: PickRecord,
  d: DeployedCommitsRecord,
  deployedSha: string | undefined,
): ControlOutcome | undefined {
  const at = (...rest: (string | number)[]) => targetPointer(ctx, 'deployedCommits', ...rest);
  if (d.base !== pick.headBefore)
    return outcome.fail(
      'the deployed-commits record starts from another release head than the pick',
      at('base'),
      pick.headBefore,
      d.base,
    );
  if (deployedSha !== undefined && d.deployed !== deployedSha)
    return outcome.fail(
      'the deployed-commits record is about another commit than the deployment',
      at('deployed'),
      deployedSha,
      d.deployed,
    );
  const expected = expectedDeployedCommits(pick, ctx.target?.releaseMergeRequest);
  const foreign = d.commits.filter((c) => !expected.includes(c.sha));
  if (foreign.length > 0) {
    const i = d.commits.indexOf(foreign[0]!);
    return outcome.fail(
      `staging ran ${foreign.length} commit(s) this promotion did not pick, which nobody validated with it: ${describe(foreign)} (R3)`,
      at('commits', i, 'sha'),
      expected,
      d.commits.map((c) => c.sha),
    );
  }
  const ran = new Set(d.commits.map((c) => c.sha));
  const missing = expected.filter((sha) => !ran.has(sha));
  if (missing.length > 0)
    return outcome.fail(
      `staging did not run this promotion's pick(s): ${missing.map((s) => s.slice(0, 12)).join(', ')}`,
      at('commits'),
      expected,
      d.commits.map((c) => c.sha),
    );
  if (!d.exhaustive)
    return outcome.fail(
      'GitLab reported the comparison of the deployed commit incomplete: what staging ran is not known (R3)',
      at('exhaustive'),
      true,
      false,
    );
  return undefined;
}

/** The words a passing message adds about the deployed set. Internal. */
export function deployedSetNote(t: TargetRecord, pick: PickRecord): string {
  if (!t.deployedCommits) return '; the deployed commit set was not recorded';
  const n = expectedDeployedCommits(pick).length;
  if (n === 0) return '; staging ran nothing beyond release';
  const merge = releaseMergeCommit(pick, t.releaseMergeRequest) ? " and the release MR's merge commit" : '';
  return `; staging ran exactly its ${n} pick(s)${merge} beyond release`;
}

/** The bundle's schema major (1 for 1.x bundles written before the deployed set was recorded). Internal. */
export function schemaMajor(ctx: ControlContext): number {
  return Number(ctx.bundle.schemaVersion.split('.')[0]);
}

/**
 * E5 without a deployed-commits record: a 1.x bundle keeps its former verdict (the caller goes on);
 * a 2.x bundle is `unverified` (its SDK records the set): the SHAs alone do not show what else
 * staging ran. Undefined for a 1.x bundle. Internal.
 */
export function unrecordedDeployedSet(ctx: ControlContext, t: TargetRecord): ControlOutcome | undefined {
  if (schemaMajor(ctx) < 2) return undefined;
  const orch = orchestratorFor(ctx.expected.orchestrator, t.project);
  const message =
    "the deployed commit set was not recorded: the SHAs do not show which commits beyond the pick's release head staging ran; what would verify it: the deployed-commits record (compare of the pick's headBefore with the deployed commit)";
  return outcome.unverifiedByGate(
    orch.acceptUnverified,
    message,
    targetPointer(ctx, 'deployedCommits'),
    'a deployed-commits record',
    'none',
  );
}
