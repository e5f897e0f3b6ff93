import { z } from 'zod';
import { promotionBundleSchema, targetOutcomeSchema } from './schema/bundle-schema.js';
import { isoUtcSchema, projectPathSchema } from './schema/primitives.js';
import {
  conflictResolutionSchema,
  deployedShaRecordSchema,
  deploymentRecordSchema,
  driftReportSchema,
  enumerationRecordSchema,
  labelRecordSchema,
  noteRecordSchema,
  pickRecordSchema,
  pipelineRecordSchema,
  rollbackRecordSchema,
  smokeCheckRecordSchema,
} from './schema/target-records.js';

/** What a journal starts with: the bundle's header fields and the target projects (D4). */
export const journalHeaderSchema = promotionBundleSchema
  .pick({
    schemaVersion: true,
    tool: true,
    operator: true,
    gitlabUrl: true,
    startedAt: true,
    settings: true,
    hotfix: true,
  })
  .extend({ targets: z.array(projectPathSchema).min(1).max(50) });

/** A journal's header. */
export type JournalHeader = z.infer<typeof journalHeaderSchema>;

const target = { target: projectPathSchema };

/** One completed step and its record. Target steps name their target project; `complete` ends the promotion. */
export const journalEntrySchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('pick'), ...target, record: pickRecordSchema }),
  z.object({ step: z.literal('drift'), ...target, record: driftReportSchema }),
  z.object({ step: z.literal('conflict'), ...target, record: conflictResolutionSchema }),
  z.object({ step: z.literal('trigger'), ...target, record: pipelineRecordSchema }),
  z.object({ step: z.literal('enumerate'), ...target, record: enumerationRecordSchema }),
  z.object({ step: z.literal('deploy'), ...target, record: deploymentRecordSchema }),
  z.object({ step: z.literal('verify-sha'), ...target, record: deployedShaRecordSchema }),
  z.object({ step: z.literal('smoke'), ...target, record: z.array(smokeCheckRecordSchema).max(200) }),
  z.object({ step: z.literal('note'), ...target, record: noteRecordSchema }),
  z.object({ step: z.literal('label'), ...target, record: labelRecordSchema }),
  z.object({ step: z.literal('rollback'), ...target, record: rollbackRecordSchema }),
  z.object({ step: z.literal('outcome'), ...target, record: z.object({ outcome: targetOutcomeSchema }) }),
  z.object({ step: z.literal('complete'), record: z.object({ completedAt: isoUtcSchema }) }),
]);

/** One journal entry as a caller appends it. */
export type JournalEntry = z.infer<typeof journalEntrySchema>;

/** The name of a journal step. */
export type JournalStep = JournalEntry['step'];

/** The journal file: header plus numbered entries. Internal. */
export const journalFileSchema = z.object({
  format: z.literal('hotfix-release-evidence-journal'),
  version: z.literal(1),
  header: journalHeaderSchema,
  entries: z.array(
    z.intersection(journalEntrySchema, z.object({ seq: z.number().int().positive(), at: isoUtcSchema })),
  ),
});

/** The journal file. Internal. */
export type JournalFile = z.infer<typeof journalFileSchema>;
