import { gitShaSchema, sha256DigestSchema } from '@hotfix-release/evidence';
import { z } from 'zod';

/** What the policy asks a {@link LiveFacts} provider to re-read from GitLab for one target. */
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

/** The facts as GitLab reports them now; validated with zod because a provider is outside input. */
export const liveFactsSnapshotSchema = z.object({
  pipelineInputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
  deployedSha: gitShaSchema.nullable(),
  labelPresent: z.boolean(),
  note: z.object({ bodyDigest: sha256DigestSchema }).nullable(),
});

/** The facts GitLab reports now for one target. */
export type LiveFactsSnapshot = z.infer<typeof liveFactsSnapshotSchema>;

/**
 * A function the caller provides (the CLI wires it to the SDK) that re-reads, from GitLab, the facts a
 * bundle claims: pipeline inputs, deployed SHA, label and note. A rejection makes `live-facts` an `error`.
 * @see E2, E5, E7, E8
 */
export type LiveFacts = (query: LiveFactsQuery) => Promise<LiveFactsSnapshot>;
