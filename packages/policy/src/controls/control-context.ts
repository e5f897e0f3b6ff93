import {
  type Hotfix,
  hotfixForTarget,
  type InTotoStatement,
  type PromotionBundle,
  type TargetRecord,
} from '@hotfix-release/evidence';
import type { ControlOutcome } from '../control-result.js';

/**
 * The gate's expectations after merging the caller's options and the policy file. Never read from the
 * bundle: a control that needs a missing one calls {@link need}, which makes it an `error`. Internal.
 */
export interface ExpectedValues {
  readonly action: string;
  readonly cutoffAction: string;
  readonly gitlabUrl?: string | undefined;
  /**
   * The merge requests the gate expects the bundle to promote (D4: one per repository's part of the fix), from
   * `--mr` (repeatable), `--mrs-file`, the policy file's `expected.mrs` (agreeing with the flags when both name
   * any) or the CI merge request; the bundle's `hotfixes` must be exactly these.
   */
  readonly mrs?: readonly { readonly project: string; readonly iid: number }[] | undefined;
  readonly orchestrationProject?: string | undefined;
  readonly orchestrationRef?: string | undefined;
  readonly releaseBranch?: string | undefined;
  readonly environment?: string | undefined;
  readonly label?: string | undefined;
  readonly governedProjects?: readonly string[] | undefined;
  /** Who said each expectation (`policy file policy.json`, `CI_SERVER_URL`, `--mr`), for failure messages. */
  readonly sources: Readonly<Record<string, string>>;
  /** Whether unsigned evidence is acceptable under a signature requirement (policy `signing.allowUnsigned`). */
  readonly allowUnsigned: boolean;
  /** The orchestrator E2/E3 judge by (the policy file's, else the runbook's own), never the bundle's. */
  readonly orchestrator: OrchestratorExpectation;
}

/**
 * The `project` input's value for a target: its full path, its short name (the last path segment), or an
 * explicit map from full path to value (the SDK's `orchestration.projectValue`). Internal.
 */
export type ProjectValueExpectation = 'full-path' | 'short-name' | { readonly map: Readonly<Record<string, string>> };

/** What one service overrides of the gate's orchestrator (the policy file's `orchestration.services`). Internal. */
export interface OrchestratorOverride {
  readonly inputNames?: { readonly action: string; readonly project: string; readonly confirm: string } | undefined;
  readonly projectValue?: ProjectValueExpectation | undefined;
  readonly fingerprints?:
    | { readonly deploy?: readonly string[] | undefined; readonly cutOff?: readonly string[] | undefined }
    | undefined;
}

/** The gate's orchestrator: input names, the `project` value, fingerprints, and whether `unverified` is accepted. */
export interface OrchestratorExpectation {
  readonly inputNames: { readonly action: string; readonly project: string; readonly confirm: string };
  readonly projectValue: ProjectValueExpectation;
  readonly fingerprints: { readonly deploy: readonly string[]; readonly cutOff: readonly string[] };
  readonly acceptUnverified: boolean;
  /** Per-service overrides by target project path; {@link orchestratorFor} applies them. */
  readonly services?: Readonly<Record<string, OrchestratorOverride>> | undefined;
}

/** The runbook's own orchestrator: the gate's default expectation for E2/E3. */
export const RUNBOOK_ORCHESTRATOR: OrchestratorExpectation = {
  inputNames: { action: 'action', project: 'project', confirm: 'confirm' },
  projectValue: 'full-path',
  fingerprints: {
    deploy: ['deploy-release-branch-to-staging'],
    cutOff: ['bring-all-code-to-release-branch', 'deploy-after-cut-off'],
  },
  acceptUnverified: false,
};

/**
 * The gate's orchestrator for one target: the policy file's `orchestration` with what
 * `orchestration.services[target]` overrides (input names, project value, either fingerprint). Internal.
 */
export function orchestratorFor(orch: OrchestratorExpectation, target: string): OrchestratorExpectation {
  const o = orch.services && Object.hasOwn(orch.services, target) ? orch.services[target] : undefined;
  if (!o) return orch;
  return {
    inputNames: o.inputNames ?? orch.inputNames,
    projectValue: o.projectValue ?? orch.projectValue,
    fingerprints: {
      deploy: o.fingerprints?.deploy ?? orch.fingerprints.deploy,
      cutOff: o.fingerprints?.cutOff ?? orch.fingerprints.cutOff,
    },
    acceptUnverified: orch.acceptUnverified,
  };
}

/**
 * The `project` input's value the gate expects for a target; a map without the target is a missing
 * expectation (the control is an `error`), never a fallback to the bundle's word. Internal.
 */
export function expectedProjectValue(orch: OrchestratorExpectation, target: string): string {
  const pv = orch.projectValue;
  if (pv === 'full-path') return target;
  if (pv === 'short-name') return target.slice(target.lastIndexOf('/') + 1);
  if (Object.hasOwn(pv.map, target)) return pv.map[target] as string;
  throw new MissingExpectation(
    `no expectation for the project input of ${target}: the policy file's orchestration.projectValue.map (or orchestration.services["${target}"].projectValue) has no entry for it; the gate never takes it from the bundle`,
  );
}

/** Thrown by {@link need}; `runControl` turns it into an `error` outcome naming the missing expectation. Internal. */
export class MissingExpectation extends Error {}

/** The expectation `key`, or an `error` for the control: the gate never falls back to the bundle's word. Internal. */
export function need<K extends Exclude<keyof ExpectedValues, 'sources' | 'allowUnsigned'>>(
  ctx: { readonly expected: ExpectedValues },
  key: K,
): NonNullable<ExpectedValues[K]> {
  const value = ctx.expected[key];
  if (value === undefined || value === null)
    throw new MissingExpectation(
      `no expectation for ${key}: give it in the policy file (or in CI through the pipeline's variables); the gate never takes it from the bundle`,
    );
  return value as NonNullable<ExpectedValues[K]>;
}

/** "the policy file says X; the bundle says Y", naming who said the expectation. Internal. */
export function disagreement(
  ctx: { readonly expected: ExpectedValues },
  key: string,
  want: unknown,
  got: unknown,
): string {
  const who = ctx.expected.sources[key] ?? 'the gate';
  return `${key}: ${who} expects ${JSON.stringify(want)}; the bundle says ${JSON.stringify(got)}`;
}

/** What the integrity controls know about how the bundle arrived. Internal. */
export interface IntegrityFacts {
  /** The bundle as parsed JSON, before zod (digests cover unknown fields too). */
  readonly raw: unknown;
  /** Whether trusted keys were configured. */
  readonly keysConfigured: boolean;
  /** Whether the caller requires a signature (CI: signed or refused). */
  readonly signatureRequired: boolean;
  /** For a DSSE input: the statement, and the verification outcome when keys are configured. */
  readonly envelope: {
    readonly payloadType: string;
    readonly statement: InTotoStatement;
    readonly verification:
      | { readonly ok: true; readonly keyid: string }
      | { readonly ok: false; readonly message: string }
      | null;
  } | null;
}

/** Everything a control function may read. Internal. */
export interface ControlContext {
  readonly bundle: PromotionBundle;
  /** The target for target-scope controls. */
  readonly target: TargetRecord | undefined;
  /** The target's index in `bundle.targets`, for JSON Pointers. */
  readonly targetIndex: number;
  readonly expected: ExpectedValues;
  readonly nowMs: number;
  readonly maxEvidenceAgeMs: number;
  readonly futureSkewMs: number;
  readonly integrity: IntegrityFacts;
}

/** A control's check function. Internal. */
export type ControlCheck = (ctx: ControlContext) => ControlOutcome;

/** Builds outcomes tersely. Internal. */
export const outcome = {
  pass: (message: string, pointer: string): ControlOutcome => ({ status: 'pass', message, pointer }),
  fail: (message: string, pointer: string, expected?: unknown, actual?: unknown): ControlOutcome => ({
    status: 'fail',
    message,
    pointer,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
  }),
  error: (message: string, pointer: string): ControlOutcome => ({ status: 'error', message, pointer }),
  /** Rests only on what was sent or reported; `accepted` when the gate's policy file accepts unverified. */
  unverified: (
    message: string,
    pointer: string,
    accepted: boolean,
    expected?: unknown,
    actual?: unknown,
  ): ControlOutcome => ({
    status: 'unverified',
    message,
    pointer,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    ...(accepted ? { accepted: true } : {}),
  }),
  /**
   * `unverified` as the gate's policy file decides it: accepted (prefixed so) when
   * `orchestration.acceptUnverified`, else refused with a hint at that setting.
   */
  unverifiedByGate: (
    accepted: boolean,
    message: string,
    pointer: string,
    expected?: unknown,
    actual?: unknown,
  ): ControlOutcome =>
    outcome.unverified(
      accepted
        ? `unverified, accepted by the gate's policy file (orchestration.acceptUnverified): ${message}`
        : `${message} (the gate's policy file may accept unverified with orchestration.acceptUnverified)`,
      pointer,
      accepted,
      expected,
      actual,
    ),
  notApplicable: (message: string, pointer: string): ControlOutcome => ({ status: 'not_applicable', message, pointer }),
};

/** The JSON Pointer of the current target. Internal. */
export function targetPointer(ctx: ControlContext, ...rest: (string | number)[]): string {
  return [
    `/targets/${ctx.targetIndex}`,
    ...rest.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')),
  ].join('/');
}

/** The target of a target-scope control; throws (becoming `error`) if the engine called it without one. Internal. */
export function requireTarget(ctx: ControlContext): TargetRecord {
  if (!ctx.target) throw new Error('target control evaluated without a target');
  return ctx.target;
}

/** Milliseconds since the epoch of an ISO timestamp. Internal. */
export function ms(iso: string): number {
  return Date.parse(iso);
}

/**
 * The hotfix a target promotes (schema 3.x: the target names it; older bundles are normalized so that every
 * target names their one hotfix), with the JSON Pointer of its entry. Internal.
 */
export function targetHotfix(ctx: ControlContext): { readonly hotfix: Hotfix; readonly pointer: string } {
  const t = requireTarget(ctx);
  const found = hotfixForTarget(ctx.bundle, t);
  if (!found) throw new Error(`target ${t.project} names ${t.hotfix}, which is not one of the bundle's hotfixes`);
  return { hotfix: found.hotfix, pointer: `/hotfixes/${found.index}` };
}
