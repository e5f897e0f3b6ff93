import { createPublicKey } from 'node:crypto';
import { type DsseTrustedKey, keyIdOf, toJsonPointer } from '@hotfix-release/evidence';
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { type CheckOptions, checkOptionsSchema } from './check-options.js';
import { buildReport, type CheckReport } from './check-report.js';
import { controlDefinition } from './control-catalog.js';
import type { ControlResult } from './control-result.js';
import { checkLiveFacts } from './controls/live-controls.js';
import { type BundleEvaluation, type EngineConfig, evaluateBundle, toResult } from './evaluate-bundle.js';
import { mergeExpected, withBasis } from './expectations.js';
import { type PolicyError, policyError } from './policy-error.js';
import { type PolicyFile, parsePolicyFile } from './policy-file.js';
import { applyWaivers, authorizedWaivers, type Waiver } from './waivers.js';

/** One input to check: raw text (a bundle or DSSE envelope file's content) or an already parsed value. */
export type CheckInput =
  | { readonly name: string; readonly text: string }
  | { readonly name: string; readonly value: unknown };

const inputsSchema = z
  .array(
    z.union([
      z.object({ name: z.string().min(1), text: z.string() }),
      z.object({ name: z.string().min(1), value: z.unknown() }),
    ]),
  )
  .max(100_000);

const liveDef = controlDefinition('live-facts');

/**
 * Checks evidence bundles (or DSSE envelopes of them) against the control catalog, applying waivers and,
 * when a {@link LiveFacts} provider is given, re-verifying facts against GitLab. Unreadable or invalid
 * evidence is not an `Err`: it is reported as `error` results (exit 2). Zero evaluated controls is exit 2.
 *
 * Expectations (instance, MR, orchestration project and ref, release branch, environment, label, governed
 * projects) come from `options.expected` and the policy file (`options.policy`), never from the bundle.
 *
 * Errors (exit 3): `invalid-options` (naming the field), `invalid-policy-file`, `conflicting-expectations`
 * (the caller's MRs and the policy file's `expected.mrs` disagree, D4), `invalid-trusted-key`,
 * `invalid-waivers`, `waivers-not-authorized`, `unknown-control`, `control-not-waivable`.
 *
 * @example
 * ```ts
 * const r = await checkBundles([{ name: 'evidence.json', text }], { trustedKeys: [{ publicKey: pem }] });
 * process.exitCode = r.isOk() ? r.value.exitCode : EXIT_CODES.configuration;
 * ```
 * @see E1–E8, D4, S2–S7, R2
 */
export function checkBundles(
  inputs: readonly CheckInput[],
  options: CheckOptions = {},
): ResultAsync<CheckReport, PolicyError> {
  const opts = checkOptionsSchema.safeParse(options);
  if (!opts.success) {
    const issues = opts.error.issues.map((i) => ({ pointer: toJsonPointer(i.path), message: i.message }));
    return errAsync(policyError('invalid-options', 'invalid check options', { issues }));
  }
  const parsedInputs = inputsSchema.safeParse(inputs);
  if (!parsedInputs.success) {
    const issues = parsedInputs.error.issues.map((i) => ({
      pointer: toJsonPointer(['inputs', ...i.path]),
      message: i.message,
    }));
    return errAsync(policyError('invalid-options', 'invalid inputs', { issues }));
  }
  const o = opts.data;
  let policy: PolicyFile | undefined;
  if (o.policy !== undefined) {
    const pf = parsePolicyFile(o.policy);
    if (pf.isErr()) return errAsync(pf.error);
    policy = pf.value;
  }
  // PEM is parsed once here, not once per envelope. The policy file's keys and the caller's are both trusted.
  const trustedKeys: DsseTrustedKey[] = [];
  const keySources = [
    ...o.trustedKeys.map((k, i) => ({ k, pointer: `/trustedKeys/${i}/publicKey` })),
    ...(policy?.signing?.trustedKeys ?? []).map((k, i) => ({
      k,
      pointer: `/policy/signing/trustedKeys/${i}/publicKey`,
    })),
  ];
  for (const { k, pointer } of keySources) {
    const id = keyIdOf(k.publicKey);
    if (!id.isOk()) return errAsync(policyError('invalid-trusted-key', id.error.message, { pointer }));
    trustedKeys.push({ publicKey: createPublicKey(k.publicKey), keyid: k.keyid ?? id.value });
  }
  const merged = mergeExpected(o, policy);
  if (merged.isErr()) return errAsync(merged.error);
  const expected = merged.value;
  let waivers: readonly Waiver[] = [];
  if (o.waivers !== undefined) {
    const authors = [...(o.mrAuthor ? [o.mrAuthor] : []), ...(o.mrAuthors ?? [])];
    const w = authorizedWaivers(o.waivers, o.waiverSource, trustedKeys, authors);
    if (w.isErr()) return errAsync(w.error);
    waivers = w.value;
  }
  const nowMs = o.now === undefined ? Date.now() : Date.parse(o.now);
  const notices: string[] = [];
  if (o.requireSignature && expected.allowUnsigned)
    notices.push(`UNSIGNED evidence is accepted: ${o.policyName} sets signing.allowUnsigned`);
  const config: EngineConfig = {
    expected,
    trustedKeys,
    requireSignature: o.requireSignature,
    nowMs,
    maxEvidenceAgeMs: o.maxEvidenceAgeMs ?? policy?.maxEvidenceAgeMs ?? 7 * 24 * 60 * 60 * 1000,
    futureSkewMs: o.futureSkewMs,
  };
  const run = async (): Promise<CheckReport> => {
    const evaluations: BundleEvaluation[] = [];
    for (const input of inputs) {
      let value: unknown;
      if ('text' in input) {
        try {
          value = JSON.parse(input.text);
        } catch (cause) {
          evaluations.push(
            evaluateUnreadable(
              input.name,
              `unreadable: not JSON (${cause instanceof Error ? cause.message : 'parse error'})`,
            ),
          );
          continue;
        }
      } else value = input.value;
      try {
        evaluations.push(evaluateBundle(input.name, value, config));
      } catch (cause) {
        // evaluateBundle guards each control; this catches hostile values (throwing getters, proxies).
        evaluations.push(
          evaluateUnreadable(input.name, `could not be evaluated: ${cause instanceof Error ? cause.message : 'threw'}`),
        );
      }
    }
    const parts = [];
    for (const ev of evaluations) {
      const live = ev.bundle ? await liveResults(ev, config, o.live, o.liveTimeoutMs) : [];
      parts.push({
        name: ev.name,
        digest: ev.digest,
        results: withBasis(applyWaivers([...ev.results, ...live], waivers, ev.bundle, nowMs)),
      });
    }
    return buildReport(parts, new Date(nowMs).toISOString(), notices);
  };
  return ResultAsync.fromSafePromise(run());
}

function evaluateUnreadable(name: string, message: string): BundleEvaluation {
  return {
    name,
    bundle: undefined,
    digest: null,
    results: [toResult(controlDefinition('bundle-schema'), name, null, { status: 'error', message, pointer: '' })],
  };
}

async function liveResults(
  ev: BundleEvaluation,
  config: EngineConfig,
  live: CheckOptions['live'],
  timeoutMs: number,
): Promise<ControlResult[]> {
  const bundle = ev.bundle;
  if (!bundle) return [];
  const expected = config.expected;
  const out: ControlResult[] = [];
  for (const [i, t] of bundle.targets.entries()) {
    const pointer = `/targets/${i}`;
    if (!live)
      out.push(
        toResult(liveDef, ev.name, t.project, { status: 'not_applicable', message: 'no live facts provider', pointer }),
      );
    else if (t.outcome !== 'promoted') {
      out.push(
        toResult(liveDef, ev.name, t.project, {
          status: 'not_applicable',
          message: `target outcome is ${t.outcome}`,
          pointer,
        }),
      );
    } else
      out.push(toResult(liveDef, ev.name, t.project, await checkLiveFacts(live, bundle, t, i, expected, timeoutMs)));
  }
  return out;
}
