import { gitShaSchema, sha256DigestSchema } from '@hotfix-release/evidence';
import { z } from 'zod';

/**
 * What the policy asks a {@link LiveFacts} provider to re-read from GitLab for one target.
 *
 * @example
 * ```ts
 * const q: LiveFactsQuery = { gitlabUrl: 'https://gitlab.example.com', target: 'fleet/api', pipeline: { project: 'evenergi/develop', id: 5000 }, environment: 'staging', mr: { project: 'fleet/api', iid: 42 }, noteId: 61000, label: 'Validated in Staging' };
 * ```
 */
export interface LiveFactsQuery {
  /** The GitLab instance the bundle names. */
  readonly gitlabUrl: string;
  /** The target project. */
  readonly target: string;
  /** The orchestration pipeline to re-read inputs of, if the bundle has one. */
  readonly pipeline: { readonly project: string; readonly id: number } | null;
  /** The environment whose deployed SHA to re-read. */
  readonly environment: string;
  /** The hotfix MR. */
  readonly mr: { readonly project: string; readonly iid: number };
  /** The MR note to re-read, if the bundle has one. */
  readonly noteId: number | null;
  /** The label to look for on the MR. */
  readonly label: string;
}

/**
 * The facts as GitLab reports them now; validated with zod because a provider is outside input.
 *
 * @example
 * ```ts
 * liveFactsSnapshotSchema.parse({ pipelineInputs: { action: 'deploy-release-branch-to-staging' }, deployedSha: null, labelPresent: false, note: null });
 * ```
 */
export const liveFactsSnapshotSchema = z.object({
  pipelineInputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
  deployedSha: gitShaSchema.nullable(),
  labelPresent: z.boolean(),
  note: z.object({ bodyDigest: sha256DigestSchema }).nullable(),
});

/**
 * The facts GitLab reports now for one target.
 *
 * @example
 * ```ts
 * const s: LiveFactsSnapshot = { pipelineInputs: null, deployedSha: null, labelPresent: false, note: null };
 * ```
 */
export type LiveFactsSnapshot = z.infer<typeof liveFactsSnapshotSchema>;

/**
 * A function the caller provides (the CLI wires it to the SDK) that re-reads, from GitLab, the facts a
 * bundle claims: pipeline inputs, deployed SHA, label and note. A rejection makes `live-facts` an `error`.
 *
 * @example
 * ```ts
 * const live: LiveFacts = async (q) => ({ pipelineInputs: await readInputs(q), deployedSha: null, labelPresent: true, note: null });
 * ```
 * @see E2, E5, E7, E8
 */
export type LiveFacts = (query: LiveFactsQuery) => Promise<LiveFactsSnapshot>;
