import type { ResolvedCheckOptions } from './check-options.js';
import type { ControlResult } from './control-result.js';
import { type ExpectedValues, RUNBOOK_ORCHESTRATOR } from './controls/control-context.js';
import type { PolicyFile } from './policy-file.js';

/**
 * The gate's expectations: the caller's (CLI flags, CI variables) win over the policy file's; each one
 * remembers who said it so a failure can name the source. Nothing is read from a bundle. Internal.
 */
export function mergeExpected(o: ResolvedCheckOptions, policy: PolicyFile | undefined): ExpectedValues {
  const sources: Record<string, string> = {};
  const fromPolicy = `the policy file (${o.policyName})`;
  const pick = <T>(key: string, caller: T | undefined, file: T | undefined): T | undefined => {
    if (caller !== undefined) {
      sources[key] = o.expectedSources[key] ?? 'the caller';
      return caller;
    }
    if (file !== undefined) sources[key] = fromPolicy;
    return file;
  };
  const e = o.expected;
  return {
    action: e.action,
    cutoffAction: e.cutoffAction,
    gitlabUrl: pick('gitlabUrl', e.gitlabUrl, policy?.gitlab?.url),
    mrs: pick('mr', e.mrs ?? (e.mr ? [e.mr] : undefined), undefined),
    orchestrationProject: pick('orchestrationProject', e.orchestrationProject, policy?.orchestration?.project),
    orchestrationRef: pick('orchestrationRef', e.orchestrationRef, policy?.orchestration?.ref),
    releaseBranch: pick('releaseBranch', e.releaseBranch, policy?.release?.branch),
    environment: pick('environment', e.environment, policy?.release?.environment),
    label: pick('label', e.label, policy?.release?.label),
    governedProjects: pick('governed', e.governedProjects, policy?.governedProjects),
    sources,
    allowUnsigned: policy?.signing?.allowUnsigned ?? false,
    orchestrator: {
      inputNames: policy?.orchestration?.inputNames ?? RUNBOOK_ORCHESTRATOR.inputNames,
      projectValue: policy?.orchestration?.projectValue ?? RUNBOOK_ORCHESTRATOR.projectValue,
      fingerprints: policy?.orchestration?.fingerprints ?? RUNBOOK_ORCHESTRATOR.fingerprints,
      acceptUnverified: policy?.orchestration?.acceptUnverified ?? false,
      services: policy?.orchestration?.services ?? {},
    },
  };
}

/** Facts `live-facts` re-reads from GitLab: a passing `live-facts` lets these controls rest on live facts. */
const LIVE_BACKED = new Set<string>(['E2', 'E5', 'E7', 'E8']);
/** Integrity controls judge the input itself; they rest on nothing else. */
const SELF = new Set<string>(['bundle-schema', 'bundle-digest', 'bundle-signature', 'live-facts']);

/**
 * Marks each evaluated result of one bundle with what it rests on: `live facts` (re-read by `--live`), a
 * `verified signature` (a trusted key signed the evidence), or `the bundle's word`. An `unverified` result
 * is never marked `live facts`: it rests on a signed (or bare) claim of what was sent or reported. Internal.
 */
export function withBasis(results: readonly ControlResult[]): ControlResult[] {
  const signed = results.some((r) => r.id === 'bundle-signature' && r.status === 'pass');
  const liveTargets = new Set(results.filter((r) => r.id === 'live-facts' && r.status === 'pass').map((r) => r.target));
  return results.map((r) => {
    if (SELF.has(r.id) || r.status === 'not_applicable' || r.status === 'error') return r;
    // An `unverified` result rests on what was sent or reported; live-facts re-reads none of what would verify it.
    if (LIVE_BACKED.has(r.id) && liveTargets.has(r.target) && r.status !== 'unverified')
      return { ...r, basis: 'live facts' };
    return { ...r, basis: signed ? 'verified signature' : "the bundle's word" };
  });
}
