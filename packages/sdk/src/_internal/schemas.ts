/**
 * zod schemas for the GitLab responses the SDK relies on. They require the fields we
 * use and tolerate (and drop) every other field GitLab adds. Status enums are open
 * strings: GitLab keeps adding values (`canceling`, `waiting_for_callback`, ...).
 */
import { z } from 'zod';

const nullableString = z.string().nullable();
const optionalNullableString = z.string().nullable().optional();

/** Entities::UserBasic (the fields we use). */
export const userSchema = z.object({ id: z.number(), username: z.string(), name: z.string().optional() });

/** GET /user. */
export const currentUserSchema = userSchema.extend({ is_admin: z.boolean().optional() });

/** GET /projects/:id. */
export const projectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  default_branch: nullableString.optional(),
  web_url: z.string(),
  http_url_to_repo: z.string().optional(),
  merge_method: z.string().optional(),
  /** Whether pipeline variables are limited to `ci_pipeline_variables_minimum_override_role` (absent: not shown). */
  restrict_user_defined_variables: z.boolean().optional(),
  /** The least role that may set pipeline variables: `no_one_allowed`, `developer`, `maintainer` or `owner` (GitLab 17.1+). */
  ci_pipeline_variables_minimum_override_role: z.string().nullable().optional(),
  permissions: z
    .object({
      project_access: z.object({ access_level: z.number() }).nullable().optional(),
      group_access: z.object({ access_level: z.number() }).nullable().optional(),
    })
    .optional(),
});

/** Entities::MergeRequest. */
export const mergeRequestSchema = z.object({
  id: z.number(),
  iid: z.number(),
  project_id: z.number(),
  title: z.string(),
  description: nullableString.optional(),
  state: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
  sha: nullableString,
  merge_commit_sha: nullableString.optional(),
  squash_commit_sha: nullableString.optional(),
  squash: z.boolean().optional(),
  merged_at: nullableString.optional(),
  labels: z
    .array(z.union([z.string(), z.object({ name: z.string() })]))
    .transform((ls) => ls.map((l) => (typeof l === 'string' ? l : l.name))),
  web_url: z.string(),
  /** Who opened the MR (the policy gate refuses a waiver this user approved). */
  author: userSchema.optional(),
  detailed_merge_status: z.string().optional(),
  draft: z.boolean().optional(),
  diff_refs: z
    .object({ base_sha: nullableString, head_sha: nullableString, start_sha: nullableString })
    .nullable()
    .optional(),
});

/** Merge request approvals (CE and EE shapes). */
export const approvalsSchema = z.object({
  approved: z.boolean().optional(),
  approvals_required: z.number().optional(),
  approvals_left: z.number().optional(),
  approved_by: z.array(z.object({ user: userSchema })).default([]),
});

/** Entities::Commit. */
export const commitSchema = z.object({
  id: z.string(),
  short_id: z.string().optional(),
  title: z.string(),
  message: z.string(),
  author_name: z.string(),
  author_email: z.string().optional(),
  authored_date: z.string().optional(),
  committed_date: z.string().optional(),
  created_at: z.string().optional(),
  parent_ids: z.array(z.string()),
  web_url: z.string().optional(),
});

/**
 * A commit as an MR's commit list gives it: GitLab's documented answer omits `parent_ids`
 * (the client reads the commit itself for them, see `mergeRequestCommits`).
 */
export const listedCommitSchema = commitSchema.partial({ parent_ids: true });

/** GET /projects/:id/repository/branches/:branch. */
export const branchSchema = z.object({
  name: z.string(),
  protected: z.boolean(),
  default: z.boolean().optional(),
  can_push: z.boolean().optional(),
  developers_can_push: z.boolean().optional(),
  web_url: z.string().optional(),
  commit: z.object({ id: z.string(), title: z.string().optional(), parent_ids: z.array(z.string()).optional() }),
});

/** One file of a diff (commit diff, compare, MR diffs). */
export const diffSchema = z.object({
  old_path: z.string(),
  new_path: z.string(),
  a_mode: optionalNullableString,
  b_mode: optionalNullableString,
  diff: z.string(),
  new_file: z.boolean(),
  renamed_file: z.boolean(),
  deleted_file: z.boolean(),
  too_large: z.boolean().nullable().optional(),
  collapsed: z.boolean().nullable().optional(),
});

/** GET /projects/:id/repository/compare. */
export const compareSchema = z.object({
  commit: commitSchema.partial({ message: true, parent_ids: true }).nullable().optional(),
  commits: z.array(commitSchema.partial({ message: true, parent_ids: true })),
  diffs: z.array(diffSchema),
  compare_timeout: z.boolean().optional(),
  compare_same_ref: z.boolean().optional(),
  web_url: z.string().optional(),
});

/** `{"dry_run":"success"}`: a cherry-pick or revert dry run that would apply cleanly. */
export const dryRunSchema = z.object({ dry_run: z.literal('success') });

/** Entities::Ci::Pipeline (basic and detail). */
export const pipelineSchema = z.object({
  id: z.number(),
  iid: z.number().optional(),
  project_id: z.number(),
  sha: z.string(),
  ref: z.string(),
  status: z.string(),
  source: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string().optional(),
  started_at: optionalNullableString,
  finished_at: optionalNullableString,
  web_url: z.string(),
  user: userSchema.nullable().optional(),
  yaml_errors: optionalNullableString,
});

/** GET /projects/:id/pipelines/:pipeline_id/variables. */
export const pipelineVariableSchema = z.object({
  key: z.string(),
  value: z.string().nullable(),
  variable_type: z.string().optional(),
});

const jobPipelineSchema = z.object({
  id: z.number(),
  /** Omitted in some documented answers (a deployment's `deployable.pipeline`): derived from where it was read. */
  project_id: z.number().optional(),
  ref: z.string().optional(),
  sha: z.string().optional(),
  status: z.string().optional(),
});

/** Entities::Ci::Job. */
export const jobSchema = z.object({
  id: z.number(),
  name: z.string(),
  stage: z.string().optional(),
  status: z.string(),
  ref: z.string().optional(),
  allow_failure: z.boolean().optional(),
  created_at: z.string().optional(),
  started_at: optionalNullableString,
  finished_at: optionalNullableString,
  web_url: z.string(),
  failure_reason: z.string().optional(),
  pipeline: jobPipelineSchema,
});

/** A trigger job (bridge) with its downstream pipeline, null until created. */
export const bridgeSchema = jobSchema.extend({
  downstream_pipeline: z
    .object({
      id: z.number(),
      /** Omitted in GitLab's documented example: derived by reading the pipeline in the target. */
      project_id: z.number().optional(),
      sha: z.string(),
      ref: z.string(),
      status: z.string(),
      web_url: z.string(),
      created_at: z.string().optional(),
    })
    .nullable(),
});

/** Entities::Environment (list item; `last_deployment` only on GET by id). */
export const environmentSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.string().optional(),
  external_url: optionalNullableString,
  tier: z.string().optional(),
});

/** Entities::Deployment. */
export const deploymentSchema = z.object({
  id: z.number(),
  iid: z.number(),
  ref: z.string(),
  sha: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  environment: z.object({ id: z.number(), name: z.string(), external_url: optionalNullableString }),
  deployable: jobSchema.partial({ web_url: true }).nullable().optional(),
});

/** GET /projects/:id/environments/:environment_id. */
export const environmentDetailSchema = environmentSchema.extend({
  /**
   * GitLab's documented answer has no `updated_at` and no `environment` here (the environment
   * is the one read): only `id`, `status` and `sha` are read from it.
   */
  last_deployment: deploymentSchema.partial({ updated_at: true, environment: true }).nullable().optional(),
});

/** A project label. */
export const labelSchema = z.object({ id: z.number(), name: z.string(), color: z.string().optional() });

/** A merge request note. */
export const noteSchema = z.object({
  id: z.number(),
  body: z.string(),
  author: userSchema,
  created_at: z.string(),
  updated_at: z.string().optional(),
  system: z.boolean(),
});

/** A resource label event (when a label was added or removed). */
export const labelEventSchema = z.object({
  id: z.number(),
  action: z.string(),
  created_at: z.string(),
  label: z.object({ id: z.number(), name: z.string() }).nullable(),
  user: userSchema.nullable().optional(),
});

/** A repository tree entry. */
export const treeEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['tree', 'blob', 'commit']),
  path: z.string(),
  mode: z.string(),
});

/** GitLab types the SDK uses, inferred from the schemas. */
export type GitLabUser = z.infer<typeof userSchema>;
/** A project as the SDK reads it. */
export type GitLabProject = z.infer<typeof projectSchema>;
/** A merge request as the SDK reads it (labels always as names). */
export type GitLabMergeRequest = z.infer<typeof mergeRequestSchema>;
/** MR approvals. */
export type GitLabApprovals = z.infer<typeof approvalsSchema>;
/** A commit. */
export type GitLabCommit = z.infer<typeof commitSchema>;
/** A branch. */
export type GitLabBranch = z.infer<typeof branchSchema>;
/** One file of a diff. */
export type GitLabDiff = z.infer<typeof diffSchema>;
/** A compare result. */
export type GitLabCompare = z.infer<typeof compareSchema>;
/** A pipeline. */
export type GitLabPipeline = z.infer<typeof pipelineSchema>;
/** A pipeline variable. */
export type GitLabPipelineVariable = z.infer<typeof pipelineVariableSchema>;
/** A job. */
export type GitLabJob = z.infer<typeof jobSchema>;
/** A trigger job with its downstream pipeline. */
export type GitLabBridge = z.infer<typeof bridgeSchema>;
/** An environment. */
export type GitLabEnvironment = z.infer<typeof environmentDetailSchema>;
/** A deployment. */
export type GitLabDeployment = z.infer<typeof deploymentSchema>;
/** A label. */
export type GitLabLabel = z.infer<typeof labelSchema>;
/** A note. */
export type GitLabNote = z.infer<typeof noteSchema>;
/** A label event. */
export type GitLabLabelEvent = z.infer<typeof labelEventSchema>;
/** A tree entry. */
export type GitLabTreeEntry = z.infer<typeof treeEntrySchema>;

/** One RepositoryBlob node of GitLab's GraphQL `repository.blobs` (the fields the SDK asks for). */
export const graphqlBlobSchema = z.object({
  path: z.string(),
  oid: z.string(),
  /** Null for a binary blob (GitLab's `text_only_data`). */
  rawTextBlob: z.string().nullable().optional(),
});

/**
 * GitLab's answer to the blobs query: `project` is null when the caller cannot read it, and
 * `errors` lists what GitLab refused (an unknown field on an older instance, the complexity cap).
 */
export const graphqlBlobsAnswerSchema = z.object({
  data: z
    .object({
      project: z
        .object({
          repository: z.record(z.string(), z.object({ nodes: z.array(graphqlBlobSchema) }).nullable()).nullable(),
        })
        .nullable(),
    })
    .nullable()
    .optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

/** A blob read through GraphQL. */
export type GraphqlBlob = z.output<typeof graphqlBlobSchema>;
