/**
 * A promotion checks its own sealed bundle before it reports `promoted`: the policy's E1–E8 controls,
 * with the promotion's own configuration as the expectations (the instance, the MR, the orchestration
 * project and ref, each target's release branch, environment and orchestrator profile, the label, the
 * targets as governed projects). Signatures are the gate's job, not this check's. Shared by `hotfix
 * promote` and `hotfix resume`; the SDK stays free of the policy package.
 */
import { type PromotionBundle, provenanceOf } from '@hotfix-release/evidence';
import {
  type CheckOptions,
  type ControlResult,
  checkBundles,
  exitCodeFor,
  type PolicyFile,
  parsePolicyFile,
} from '@hotfix-release/policy';
import type { RunbookConfig } from '@hotfix-release/sdk';
import type { Sdk } from '../gitlab.js';

/** One control that kept the self-check from passing. */
export interface SelfCheckFailure {
  /** The control id (`E2`, `bundle-digest`, …). */
  readonly control: string;
  /** The runbook ID the control proves. */
  readonly runbookRef: string;
  /** The target, or `null` for a bundle control. */
  readonly target: string | null;
  /** The control's status (`fail`, `error`, or any other status that makes the policy's exit code non-zero). */
  readonly status: string;
  /** What the control found. */
  readonly message: string;
}

/** A target whose orchestrator profile the policy cannot express, so one control was not judged. */
export interface SelfCheckUnjudged {
  readonly control: 'E2';
  readonly runbookRef: 'E2';
  readonly target: string;
  /** Why the policy cannot judge it. */
  readonly message: string;
}

/** The outcome of a promotion's self-check. */
export interface SelfCheck {
  /** `pass` only when the policy's exit code is 0 and every target's profile could be expressed. */
  readonly status: 'pass' | 'fail';
  /** The policy's exit code for the bundle (0, 1 or 2). */
  readonly policyExitCode: number;
  /** Every result that made the exit code non-zero, named by control and runbook ID. */
  readonly failed: readonly SelfCheckFailure[];
  /** Controls the policy could not judge for a target's profile; they fail the self-check too. */
  readonly unjudged: readonly SelfCheckUnjudged[];
  /** What each target's passing E2 and E3 rest on (`observed`, `reported`, …), or `failed`. */
  readonly restsOn: readonly { readonly target: string; readonly E2: string; readonly E3: string }[];
}

/** What the self-check needs from the promotion's own configuration. */
export interface SelfCheckConfig {
  readonly sdk: Pick<Sdk, 'orchestratorFor' | 'serviceFor'>;
  readonly config: RunbookConfig;
  readonly gitlabUrl: string | undefined;
}

type PolicyOrchestration = NonNullable<PolicyFile['orchestration']>;

/** The `projectValue` the policy file can hold for a target, trying the profile as written first. */
function projectValueFor(
  base: Omit<PolicyOrchestration, 'projectValue'>,
  profileValue: RunbookConfig['orchestration']['projectValue'],
  target: string,
): { value: unknown } | { unjudged: string } {
  // Whatever this policy version accepts as written (a map, once it supports one) is used as written.
  if (parsePolicyFile({ version: 1, orchestration: { ...base, projectValue: profileValue } }).isOk())
    return { value: profileValue };
  if (typeof profileValue === 'object') {
    const mapped = Object.hasOwn(profileValue.map, target) ? profileValue.map[target] : undefined;
    if (mapped === target) return { value: 'full-path' };
    if (mapped === target.slice(target.lastIndexOf('/') + 1)) return { value: 'short-name' };
    return {
      unjudged: `the policy cannot express orchestration.projectValue.map's value ${JSON.stringify(mapped ?? null)} for ${target} (it takes full-path or short-name), so E2 was not judged; a gate could not judge it either`,
    };
  }
  return { unjudged: `the policy cannot express orchestration.projectValue ${JSON.stringify(profileValue)}` };
}

/** The policy file that states one target's expectations, from the promotion's own configuration. */
function policyFor(c: SelfCheckConfig, target: string, targets: readonly string[]) {
  const { config } = c;
  const profile = c.sdk.orchestratorFor(config, target);
  const service = c.sdk.serviceFor(config, target);
  const orchestration = {
    project: profile.project,
    ref: profile.ref,
    inputNames: profile.inputNames,
    fingerprints: { deploy: [...profile.fingerprints.deploy], cutOff: [...profile.fingerprints.cutOff] },
  };
  const pv = projectValueFor(orchestration, profile.projectValue, target);
  return {
    unjudged: 'unjudged' in pv ? pv.unjudged : undefined,
    policy: {
      version: 1,
      ...(c.gitlabUrl ? { gitlab: { url: c.gitlabUrl } } : {}),
      orchestration: { ...orchestration, projectValue: 'value' in pv ? pv.value : 'full-path' },
      release: {
        branch: service?.releaseBranch ?? config.releaseBranch,
        environment: service?.environment ?? config.environment,
        label: config.label,
      },
      governedProjects: config.governed ? [...targets] : [],
    },
  };
}

/** Results that keep the policy's exit code from being 0: anything but pass, waived and not applicable. */
function failing(results: readonly ControlResult[]): SelfCheckFailure[] {
  return results
    .filter((r) => r.status !== 'pass' && r.status !== 'waived' && r.status !== 'not_applicable')
    .map((r) => ({ control: r.id, runbookRef: r.runbookRef, target: r.target, status: r.status, message: r.message }));
}

/**
 * Checks a sealed bundle with the policy, per target with that target's own expectations (targets that
 * share them are checked together). Never throws; a check that cannot run is a failing `self-check` entry.
 */
export async function selfCheck(
  bundle: PromotionBundle,
  name: string,
  mrs: readonly { readonly project: string; readonly iid: number }[],
  c: SelfCheckConfig,
): Promise<SelfCheck> {
  const targets = bundle.targets.map((t) => t.project);
  const groups = new Map<string, { policy: unknown; targets: Set<string> }>();
  const unjudged: SelfCheckUnjudged[] = [];
  for (const t of targets) {
    const { policy, unjudged: why } = policyFor(c, t, targets);
    if (why) unjudged.push({ control: 'E2', runbookRef: 'E2', target: t, message: why });
    const key = JSON.stringify(policy);
    const g = groups.get(key) ?? { policy, targets: new Set<string>() };
    g.targets.add(t);
    groups.set(key, g);
  }
  if (groups.size === 0) groups.set('', { policy: policyFor(c, '', []).policy, targets: new Set() });
  const results: ControlResult[] = [];
  let first = true;
  for (const g of groups.values()) {
    const options: CheckOptions = {
      policy: g.policy,
      policyName: "this promotion's own configuration",
      expected: {
        action: c.config.orchestration.deployAction,
        cutoffAction: c.config.orchestration.cutOffAction,
        mrs: mrs.map((mr) => ({ project: mr.project, iid: mr.iid })),
      },
      expectedSources: { mr: 'this promotion' },
    };
    const report = await checkBundles([{ name, value: bundle }], options);
    if (report.isErr()) {
      const e = report.error;
      const failure = { control: 'self-check', runbookRef: 'E1–E8', target: null, status: 'error', message: e.message };
      return { status: 'fail', policyExitCode: 3, failed: [failure], unjudged, restsOn: [] };
    }
    const skipE2 = new Set(unjudged.map((u) => u.target));
    for (const r of report.value.results) {
      if (r.target === null ? !first : !g.targets.has(r.target)) continue;
      if (r.id === 'E2' && r.target !== null && skipE2.has(r.target)) continue;
      results.push(r);
    }
    first = false;
  }
  const policyExitCode = exitCodeFor(results);
  const failed = failing(results);
  const passed = (id: string, t: string) => results.some((r) => r.id === id && r.target === t && r.status === 'pass');
  const restsOn = bundle.targets.map((t) => {
    const p = provenanceOf(t);
    return {
      target: t.project,
      E2: passed('E2', t.project) ? p.E2 : skipE2Label(unjudged, t.project),
      E3: passed('E3', t.project) ? p.E3 : 'failed',
    };
  });
  const ok = policyExitCode === 0 && failed.length === 0 && unjudged.length === 0;
  return { status: ok ? 'pass' : 'fail', policyExitCode, failed, unjudged, restsOn };
}

function skipE2Label(unjudged: readonly SelfCheckUnjudged[], target: string): string {
  return unjudged.some((u) => u.target === target) ? 'not judged' : 'failed';
}

/** The self-check's lines for people: one per failing or unjudged control, or one summary line. */
export function selfCheckLines(s: SelfCheck): string[] {
  const where = (t: string | null) => (t ? ` for ${t}` : '');
  const lines = [
    ...s.failed.map(
      (f) =>
        `self-check: ${f.control} ${f.status === 'fail' ? 'failed' : f.status} [${f.runbookRef}]${where(f.target)}: ${f.message}`,
    ),
    ...s.unjudged.map((u) => `self-check: ${u.control} not judged [${u.runbookRef}]${where(u.target)}: ${u.message}`),
  ];
  if (s.status === 'fail' && lines.length === 0)
    lines.push(
      `self-check: the policy's exit code is ${s.policyExitCode} with no failing control (nothing was evaluated)`,
    );
  if (s.status === 'pass') {
    const rests = s.restsOn.map((r) => `${r.target}: E2 ${r.E2}, E3 ${r.E3}`).join('; ');
    lines.push(`self-check: E1–E8 pass against this promotion's own configuration (${rests || 'no targets'})`);
  }
  return lines;
}

/** The one-sentence summary of a failing self-check, naming the controls and runbook IDs. */
export function selfCheckDetail(s: SelfCheck): string {
  const named = [
    ...s.failed.map(
      (f) => `${f.control} ${f.status === 'fail' ? 'failed' : f.status}${f.target ? ` for ${f.target}` : ''}`,
    ),
    ...s.unjudged.map((u) => `${u.control} not judged for ${u.target}`),
  ];
  const first = s.failed[0]?.message ?? s.unjudged[0]?.message;
  return `self-check: ${named.join(', ') || `policy exit code ${s.policyExitCode}`}${first ? `: ${first}` : ''}. The evidence does not pass the policy with this promotion's own configuration, so the promotion is not reported as promoted.`;
}
