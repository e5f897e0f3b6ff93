import { hotfixKey, hotfixRefSchema, httpUrlSchema, projectPathSchema, toJsonPointer } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { type PolicyError, policyError } from './policy-error.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A job or bridge name, or `/regex/` (which must compile: a broken pattern would match nothing). */
const fingerprintEntry = z
  .string()
  .min(1)
  .max(200)
  .refine((e) => {
    if (!(e.length > 2 && e.startsWith('/') && e.endsWith('/'))) return true;
    try {
      new RegExp(e.slice(1, -1), 'u');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid /regex/');
const fingerprintEntries = z.array(fingerprintEntry).min(1).max(20);

/** The orchestrator's fingerprints E2/E3 judge by (job or bridge names, or `/regex/`). */
const fingerprintsSchema = z.object({ deploy: fingerprintEntries, cutOff: fingerprintEntries }).strict();

/** The names of the guided inputs. */
const inputNamesSchema = z
  .object({
    action: z.string().min(1).max(255),
    project: z.string().min(1).max(255),
    confirm: z.string().min(1).max(255),
  })
  .strict();

/** The `project` input's value for a target: full path, short name, or an explicit map (as in the SDK's profile). */
const projectValueSchema = z.union([
  z.enum(['full-path', 'short-name']),
  z.object({ map: z.record(projectPathSchema, z.string().min(1).max(255)) }).strict(),
]);

/** The most merge requests a policy file may pin (`expected.mrs`). */
const MAX_EXPECTED_MRS = 50;

/**
 * `expected.mrs`: the merge requests (`group/project!iid`) the bundle must promote, exactly (D4); each a
 * valid reference, none twice.
 */
const expectedMrsSchema = z
  .array(hotfixRefSchema)
  .min(1)
  .max(MAX_EXPECTED_MRS)
  .superRefine((refs, ctx) => {
    // Twice means one MR however its path is cased (GitLab's paths are case-insensitive).
    const keys = refs.map(hotfixKey);
    for (const [i, ref] of refs.entries()) {
      const first = keys.indexOf(hotfixKey(ref));
      if (first !== i)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `names ${ref} a second time (first at /expected/mrs/${first}); each merge request once (D4)`,
        });
    }
  });

/**
 * The gate's own policy file: what the gate expects, never taken from the bundle it judges.
 * Every expectation is optional in the file so one file can serve several pipelines; a control that
 * needs an expectation nobody gave is an `error` (exit 2), never a fallback to the bundle's word.
 * Unknown fields are refused (a typo must not silently drop an expectation).
 *
 * @see E1–E8, D4
 */
export const policyFileSchema = z
  .object({
    version: z.literal(1),
    /**
     * What the gate expects the bundle to promote (D4, E7): `mrs`, the merge requests as `group/project!iid`,
     * exactly (at most 50, none twice), so a CI gate can pin them in its committed policy file. When the caller
     * names MRs too (`--mr`, `--mrs-file`) the two must name the same set, else the check is refused (exit 3);
     * in CI the pipeline's own MR (CI_PROJECT_PATH, CI_MERGE_REQUEST_IID) must be one of them.
     */
    expected: z.object({ mrs: expectedMrsSchema.optional() }).strict().optional(),
    /** The GitLab instance the evidence must come from (in CI, default `CI_SERVER_URL`). */
    gitlab: z.object({ url: httpUrlSchema }).strict().optional(),
    /** The orchestration project and the ref its pipeline must run on (S4). */
    orchestration: z
      .object({
        project: projectPathSchema,
        ref: z.string().min(1).max(255),
        /**
         * The orchestrator's fingerprints E2/E3 judge by (job or bridge names, or `/regex/`); default the
         * runbook's orchestrator. The profile a bundle records is a claim, never the yardstick.
         */
        fingerprints: fingerprintsSchema.optional(),
        /** The names of the guided inputs (default `action`, `project`, `confirm`). */
        inputNames: inputNamesSchema.optional(),
        /**
         * The `project` input's value for a target: its full path (default), its short name, or an explicit
         * map `{ "map": { "<full path>": "<value>" } }` (the SDK's `orchestration.projectValue`).
         */
        projectValue: projectValueSchema.optional(),
        /**
         * Per-service overrides, keyed by the target's full project path (the SDK's per-service
         * `orchestration`): input names, `project` value, either fingerprint. E2/E3 judge each target by its own.
         */
        services: z
          .record(
            projectPathSchema,
            z
              .object({
                inputNames: inputNamesSchema.optional(),
                projectValue: projectValueSchema.optional(),
                fingerprints: fingerprintsSchema.partial().optional(),
              })
              .strict(),
          )
          .optional(),
        /**
         * Accept E2/E3 resting on what was sent or reported without observation: the result stays
         * `unverified` (never `pass`) but exits 0 and is named in the report's notices. Refused by default.
         */
        acceptUnverified: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** The release branch (S2), the environment (S6) and the label (S7/E8). */
    release: z
      .object({
        branch: z.string().min(1).max(255).optional(),
        environment: z.string().min(1).max(255).optional(),
        label: z.string().min(1).max(255).optional(),
      })
      .strict()
      .optional(),
    /** The projects whose hotfixes are governed delivery work (E8 applies to them). */
    governedProjects: z.array(projectPathSchema).max(1000).optional(),
    /** Trusted ed25519 public keys (PEM) for evidence and waivers; `allowUnsigned` lets CI accept bare bundles. */
    signing: z
      .object({
        trustedKeys: z
          .array(
            z
              .object({ publicKey: z.string().min(1).max(10_000), keyid: z.string().min(1).max(255).optional() })
              .strict(),
          )
          .max(50)
          .default([]),
        allowUnsigned: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** The maximum age of any observation (`evidence-freshness`). Default 7 days. */
    maxEvidenceAgeMs: z
      .number()
      .int()
      .positive()
      .default(7 * DAY_MS),
  })
  .strict();

/**
 * A parsed policy file (defaults applied).
 *
 * @see E1–E8
 */
export type PolicyFile = z.output<typeof policyFileSchema>;

/**
 * The policy file as JSON Schema (draft 2020-12), published as `docs/generated/policy.schema.json`.
 *
 * @see E1–E8
 */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policyFileSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}

/**
 * Parses a policy file (text or parsed JSON).
 *
 * Errors (exit 3): `invalid-policy-file` naming each field by JSON Pointer.
 *
 * @see E1–E8
 */
export function parsePolicyFile(input: unknown): Result<PolicyFile, PolicyError> {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      return err(policyError('invalid-policy-file', 'the policy file is not JSON', { issues: [] }));
    }
  }
  const parsed = policyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ pointer: toJsonPointer(i.path), message: i.message }));
    return err(policyError('invalid-policy-file', 'the policy file does not match its schema', { issues }));
  }
  return ok(parsed.data);
}
