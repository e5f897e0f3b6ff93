import { hotfixKey, hotfixRef } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import type { ResolvedCheckOptions } from './check-options.js';
import type { ControlResult } from './control-result.js';
import { type ExpectedValues, RUNBOOK_ORCHESTRATOR } from './controls/control-context.js';
import { type PolicyError, policyError } from './policy-error.js';
import type { PolicyFile } from './policy-file.js';

type Mr = { readonly project: string; readonly iid: number };

/** `group/project!iid` into its parts (the policy file's refs are validated by `hotfixRefSchema`). */
function parseRef(ref: string): Mr {
  const bang = ref.lastIndexOf('!');
  return { project: ref.slice(0, bang), iid: Number(ref.slice(bang + 1)) };
}

/**
 * The merge requests the gate expects (D4) and who said them: the caller's (`mr`/`mrs`) and the policy file's
 * `expected.mrs` must name the same set when both name any (never one silently preferred); the pipeline's own
 * MR (`pipelineMr`, GitLab CI's) is the expectation when neither does, and must be among the file's when only
 * the file does. Errors (exit 3): `conflicting-expectations`, naming both sources. Internal.
 */
export function expectedMrs(
  o: ResolvedCheckOptions,
  policy: PolicyFile | undefined,
): Result<{ readonly mrs: readonly Mr[]; readonly source: string } | undefined, PolicyError> {
  const e = o.expected;
  const fromPolicy = `the policy file (${o.policyName}) expected.mrs`;
  const caller = e.mrs ?? (e.mr ? [e.mr] : undefined);
  const callerSource = o.expectedSources.mr ?? 'the caller';
  const file = policy?.expected?.mrs?.map(parseRef);
  const names = (mrs: readonly Mr[]) => mrs.map(hotfixRef).join(', ');
  const conflict = (message: string, callerPointer: string, callerSaid: string) =>
    err(
      policyError(
        'conflicting-expectations',
        message,
        {
          issues: [
            { pointer: callerPointer, message: callerSaid },
            { pointer: '/policy/expected/mrs', message: `${fromPolicy} names ${names(file ?? [])}` },
          ],
        },
        'D4',
      ),
    );
  if (caller && file) {
    // By identity, as GitLab finds MRs: `Group/Project!1` is `group/project!1`.
    const want = new Set(file.map(hotfixKey));
    const got = new Set(caller.map(hotfixKey));
    if (want.size !== got.size || [...got].some((ref) => !want.has(ref)))
      return conflict(
        `the merge requests the gate expects disagree: ${callerSource} names ${names(caller)}; ${fromPolicy} names ${names(file)}; name the same set in both, or in one only (D4)`,
        e.mrs ? '/expected/mrs' : '/expected/mr',
        `${callerSource} names ${names(caller)}`,
      );
    return ok({ mrs: file, source: `${callerSource} and ${fromPolicy}` });
  }
  if (caller) return ok({ mrs: caller, source: callerSource });
  const pipeline = e.pipelineMr;
  const pipelineSource = o.expectedSources.pipelineMr ?? o.expectedSources.mr ?? 'the pipeline';
  if (file) {
    if (pipeline && !file.some((m) => hotfixKey(m) === hotfixKey(pipeline)))
      return conflict(
        `the pipeline runs for ${hotfixRef(pipeline)} (${pipelineSource}), which ${fromPolicy} does not name (${names(file)}): this gate's policy file pins other merge requests (D4)`,
        '/expected/pipelineMr',
        `${pipelineSource} names ${hotfixRef(pipeline)}`,
      );
    return ok({ mrs: file, source: fromPolicy });
  }
  if (pipeline) return ok({ mrs: [pipeline], source: pipelineSource });
  return ok(undefined);
}

/**
 * The gate's expectations: the caller's (CLI flags, CI variables) win over the policy file's, except the
 * merge requests, which must agree ({@link expectedMrs}); each one remembers who said it so a failure can
 * name the source. Nothing is read from a bundle. Errors (exit 3): `conflicting-expectations`. Internal.
 */
export function mergeExpected(
  o: ResolvedCheckOptions,
  policy: PolicyFile | undefined,
): Result<ExpectedValues, PolicyError> {
  const mrs = expectedMrs(o, policy);
  if (mrs.isErr()) return err(mrs.error);
  const sources: Record<string, string> = {};
  if (mrs.value) sources.mr = mrs.value.source;
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
  return ok({
    action: e.action,
    cutoffAction: e.cutoffAction,
    gitlabUrl: pick('gitlabUrl', e.gitlabUrl, policy?.gitlab?.url),
    mrs: mrs.value?.mrs,
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
  });
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
