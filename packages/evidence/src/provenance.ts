import type { TargetRecord } from './schema/bundle-schema.js';

/**
 * What a target's E2 record rests on, strongest first: `observed` (the pipeline's jobs and its downstream
 * in the target were read from GitLab), `reported` (GitLab showed the inputs or guided variables),
 * `sent` (only the request body journaled before the POST), or `none` (no pipeline record).
 *
 * @see E2 S4
 */
export type E2Provenance = 'observed' | 'reported' | 'sent' | 'none';

/**
 * What a target's E3 record rests on: `observed` (every pipeline of the window classified by the jobs
 * GitLab lists), `reported` (at least one only by a name or variables), `unreadable` (at least one could not
 * be classified), `unclassified` (an enumeration without per-pipeline classifications), or `none`.
 *
 * @see E3 S5
 */
export type E3Provenance = 'observed' | 'reported' | 'unreadable' | 'unclassified' | 'none';

/**
 * The provenance of a target's E2 and E3 records, as the record holds it. This describes the evidence; it
 * does not judge it: whether the observation matches the expected fingerprints is the policy's question
 * (a gate reports a provenance only next to a passing control).
 *
 * @example
 * ```ts
 * const { E2, E3 } = provenanceOf(bundle.targets[0]); // e.g. 'observed', 'observed'
 * ```
 * @see E2 E3
 */
export function provenanceOf(target: TargetRecord): { readonly E2: E2Provenance; readonly E3: E3Provenance } {
  const p = target.pipeline;
  const E2: E2Provenance = !p
    ? 'none'
    : p.observed?.downstream
      ? 'observed'
      : Object.keys(p.inputs).length > 0 || p.variables.some((v) => 'value' in v)
        ? 'reported'
        : p.sent
          ? 'sent'
          : 'none';
  const e = target.enumeration;
  const listed = e?.pipelines;
  const E3: E3Provenance = !e
    ? 'none'
    : !listed
      ? 'unclassified'
      : listed.some((x) => x.classification === 'unreadable')
        ? 'unreadable'
        : listed.some((x) => x.basis !== 'observed')
          ? 'reported'
          : 'observed';
  return { E2, E3 };
}
