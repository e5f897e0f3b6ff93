import { z } from 'zod';
import { legacyBundleSchema } from './normalize-bundle.js';
import {
  blockedRecordSchema,
  hotfixRef,
  hotfixRefSchema,
  promotionBundleSchema,
  SCHEMA_VERSION,
  targetOutcomeSchema,
} from './schema/bundle-schema.js';
import { isoUtcSchema, projectPathSchema } from './schema/primitives.js';
import {
  conflictResolutionSchema,
  deployedCommitsRecordSchema,
  deployedShaRecordSchema,
  deploymentRecordSchema,
  driftReportSchema,
  enumerationRecordSchema,
  labelRecordSchema,
  lockRecordSchema,
  noteRecordSchema,
  pickRecordSchema,
  pipelineRecordSchema,
  releaseMergeRequestRecordSchema,
  rollbackRecordSchema,
  sentPipelineRequestSchema,
  smokeCheckRecordSchema,
} from './schema/target-records.js';

/** The bundle header fields a journal header carries, in every schema version. */
const HEADER_FIELDS = {
  schemaVersion: true,
  tool: true,
  operator: true,
  gitlabUrl: true,
  startedAt: true,
  settings: true,
} as const;

/**
 * What a journal starts with: the bundle's header fields, its hotfixes, and the targets (D4) in the order
 * they are promoted, each naming its hotfix.
 */
export const journalHeaderSchema = promotionBundleSchema.pick({ ...HEADER_FIELDS, hotfixes: true }).extend({
  targets: z
    .array(
      z.object({
        project: projectPathSchema,
        hotfix: hotfixRefSchema,
        /** D4 order: targets promoted before this one; a stop there stops this one. */
        dependsOn: z.array(projectPathSchema).max(50).optional(),
      }),
    )
    .min(1)
    .max(50),
});

/** A journal's header. */
export type JournalHeader = z.infer<typeof journalHeaderSchema>;

/** The header of a journal an older version wrote (schema 1.x/2.x): one `hotfix`, targets as paths. Internal. */
const legacyJournalHeaderSchema = legacyBundleSchema
  .pick({ ...HEADER_FIELDS, hotfix: true })
  .extend({ targets: z.array(projectPathSchema).min(1).max(50) });

/**
 * A journal header as read: today's, or an older one normalized to today's shape (its one hotfix becomes
 * `hotfixes[0]`, every target names it). A resumed older journal carries on under this schema version.
 */
const readJournalHeaderSchema = z.union([
  journalHeaderSchema,
  legacyJournalHeaderSchema.transform(({ hotfix, targets, ...rest }): JournalHeader => {
    const ref = hotfixRef(hotfix.mr);
    return {
      ...rest,
      schemaVersion: SCHEMA_VERSION,
      hotfixes: [hotfix],
      targets: targets.map((project) => ({ project, hotfix: ref })),
    };
  }),
]);

const target = { target: projectPathSchema };

/**
 * S4, journaled BEFORE the create-pipeline POST: the exact request about to be sent, and the newest
 * pipeline id this user had on the ref before it. A resumed run that finds an intent without a
 * pipeline record reads back (pipelines newer than `seenBeforeId` that observably ran a deploy)
 * before it ever sends again: the answer of the first POST may have been lost with the process.
 */
export const pipelineIntentSchema = z.object({
  /** The orchestration project the request goes to. */
  project: projectPathSchema,
  /** The request body exactly as it is about to be sent. */
  sent: sentPipelineRequestSchema,
  /** The newest pipeline id of this user on the ref listed before the POST (0 when none). */
  seenBeforeId: z.number().int().nonnegative(),
});

/** A pipeline intent (see {@link pipelineIntentSchema}). */
export type PipelineIntent = z.infer<typeof pipelineIntentSchema>;

/** One completed step and its record. Target steps name their target project; `complete` ends the promotion. */
export const journalEntrySchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('lock'), ...target, record: lockRecordSchema }),
  z.object({ step: z.literal('pick'), ...target, record: pickRecordSchema }),
  z.object({ step: z.literal('drift'), ...target, record: driftReportSchema }),
  z.object({ step: z.literal('release-merge-request'), ...target, record: releaseMergeRequestRecordSchema }),
  z.object({ step: z.literal('conflict'), ...target, record: conflictResolutionSchema }),
  z.object({ step: z.literal('trigger-intent'), ...target, record: pipelineIntentSchema }),
  z.object({ step: z.literal('trigger'), ...target, record: pipelineRecordSchema }),
  z.object({ step: z.literal('enumerate'), ...target, record: enumerationRecordSchema }),
  z.object({ step: z.literal('deploy'), ...target, record: deploymentRecordSchema }),
  z.object({ step: z.literal('deployed-commits'), ...target, record: deployedCommitsRecordSchema }),
  z.object({ step: z.literal('verify-sha'), ...target, record: deployedShaRecordSchema }),
  z.object({ step: z.literal('smoke'), ...target, record: z.array(smokeCheckRecordSchema).max(200) }),
  z.object({ step: z.literal('note'), ...target, record: noteRecordSchema }),
  z.object({ step: z.literal('label'), ...target, record: labelRecordSchema }),
  z.object({ step: z.literal('rollback'), ...target, record: rollbackRecordSchema }),
  z.object({ step: z.literal('blocked'), ...target, record: blockedRecordSchema }),
  z.object({ step: z.literal('outcome'), ...target, record: z.object({ outcome: targetOutcomeSchema }) }),
  z.object({ step: z.literal('complete'), record: z.object({ completedAt: isoUtcSchema }) }),
  /**
   * `hotfix abandon`: the operator gave the promotion up (its release locks released); it is never
   * resumed. Who, when, and why when they said.
   */
  z.object({
    step: z.literal('abandon'),
    record: z.object({
      abandonedAt: isoUtcSchema,
      by: z.string().min(1).max(255),
      reason: z.string().max(2000).optional(),
    }),
  }),
]);

/** One journal entry as a caller appends it. */
export type JournalEntry = z.infer<typeof journalEntrySchema>;

/** The name of a journal step. */
export type JournalStep = JournalEntry['step'];

/** The journal file: header plus numbered entries. Internal. */
export const journalFileSchema = z.object({
  format: z.literal('hotfix-release-evidence-journal'),
  version: z.literal(1),
  header: readJournalHeaderSchema,
  entries: z.array(
    z.intersection(journalEntrySchema, z.object({ seq: z.number().int().positive(), at: isoUtcSchema })),
  ),
});

/** The journal file. Internal. */
export type JournalFile = z.infer<typeof journalFileSchema>;
