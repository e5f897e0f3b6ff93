/**
 * The units of a promotion (D4, issue 24): which merge request goes into which target, in which order, after
 * which other targets. One MR with its targets (`mr`/`targets`) or several (`hotfixes`) become one ordered
 * list; every problem with the request is found here, before anything is read or changed.
 */
import { hotfixKey, projectKey } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { PromoteSettings } from './_promote-options.js';

/** One target of a promotion: its project, the MR it promotes and the targets it waits for. */
export interface PromotionUnit {
  readonly target: string;
  readonly mr: { readonly project: string; readonly iid: number };
  /** `group/project!iid` of the MR. */
  readonly hotfix: string;
  /** Target projects that must be promoted before this one starts (D4 order). */
  readonly dependsOn: readonly string[];
}

/** The MRs of a promotion in their given order, each with its targets. */
export interface PromotionRequest {
  readonly hotfixes: readonly {
    readonly mr: { readonly project: string; readonly iid: number };
    readonly ref: string;
  }[];
  /** Every target, in promotion order (the given order, moved only where a `dependsOn` requires it). */
  readonly units: readonly PromotionUnit[];
}

type Issue = { pointer: string; message: string };

/**
 * Resolves the options into the promotion's MRs and ordered targets. Errors (`invalid-input`, every
 * problem at once): neither or both of `mr` and `hotfixes`, an MR or a target named twice, a dependency
 * that is not a target of this promotion, a dependency cycle.
 */
export function resolvePromotionRequest(o: PromoteSettings): Result<PromotionRequest, HotfixError> {
  const issues: Issue[] = [];
  if ((o.mr === undefined) === (o.hotfixes === undefined))
    issues.push({ pointer: '/mr', message: 'give either mr (one merge request) or hotfixes (several), not both' });
  if (o.hotfixes && o.targets)
    issues.push({ pointer: '/targets', message: 'with hotfixes, give each merge request its own targets' });
  const entries = o.hotfixes ?? (o.mr ? [{ mr: o.mr, targets: o.targets, dependsOn: undefined }] : []);
  const units: PromotionUnit[] = [];
  const keys: string[] = [];
  // One MR or one target however its path is cased: GitLab finds paths case-insensitively.
  const same = (a: string, b: string) => projectKey(a) === projectKey(b);
  for (const [i, e] of entries.entries()) {
    const ref = `${e.mr.project}!${e.mr.iid}`;
    if (keys.includes(hotfixKey(e.mr)))
      issues.push({ pointer: `/hotfixes/${i}/mr`, message: `${ref} is listed twice` });
    keys.push(hotfixKey(e.mr));
    // One MR: its targets replace its project (as always). Several: its own project, then the further targets.
    const targets = o.hotfixes ? [e.mr.project, ...(e.targets ?? [])] : (e.targets ?? [e.mr.project]);
    const distinct = targets.filter((t, k) => targets.findIndex((x) => same(x, t)) === k);
    for (const target of distinct) {
      const other = units.find((u) => same(u.target, target));
      if (other)
        issues.push({
          pointer: o.hotfixes ? `/hotfixes/${i}` : '/targets',
          message: `${target} is a target of ${other.hotfix} and of ${ref}: one promotion picks one MR into a target (promote them one after the other)`,
        });
      else units.push({ target, mr: e.mr, hotfix: ref, dependsOn: e.dependsOn ?? [] });
    }
  }
  for (const [i, e] of (o.hotfixes ?? []).entries())
    for (const d of e.dependsOn ?? [])
      if (!units.some((u) => same(u.target, d)))
        issues.push({ pointer: `/hotfixes/${i}/dependsOn`, message: `${d} is not a target of this promotion` });
  // Each dependency spelled as the target it names, so later steps can compare them as strings.
  const spelled = units.map((u) => ({
    ...u,
    dependsOn: u.dependsOn.map((d) => units.find((x) => same(x.target, d))?.target ?? d),
  }));
  const ordered = issues.length === 0 ? topological(spelled, issues) : spelled;
  if (issues.length > 0)
    return err(
      hotfixError(
        'invalid-input',
        `Invalid promotion options: ${issues.map((x) => `${x.pointer}: ${x.message}`).join('; ')}`,
        {
          runbookRef: 'D4',
          details: { pointer: issues[0]?.pointer ?? '', issues },
        },
      ),
    );
  const hotfixes = entries.map((e) => ({ mr: e.mr, ref: `${e.mr.project}!${e.mr.iid}` }));
  return ok({ hotfixes, units: ordered });
}

/** A stable topological order: the given order, each target moved after the targets it depends on. */
function topological(units: readonly PromotionUnit[], issues: Issue[]): PromotionUnit[] {
  const out: PromotionUnit[] = [];
  const visiting = new Set<string>();
  const visit = (u: PromotionUnit): void => {
    if (out.includes(u)) return;
    if (visiting.has(u.target)) {
      issues.push({ pointer: '/hotfixes', message: `dependsOn makes a cycle through ${u.target}` });
      return;
    }
    visiting.add(u.target);
    for (const d of u.dependsOn) {
      const dep = units.find((x) => x.target === d);
      if (dep && dep !== u) visit(dep);
    }
    visiting.delete(u.target);
    if (!out.includes(u)) out.push(u);
  };
  for (const u of units) visit(u);
  return out;
}
