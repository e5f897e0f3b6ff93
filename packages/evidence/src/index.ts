export { bundleDigest, sealBundle } from './bundle-digest.js';
export { canonicalJson, contentDigest } from './canonical-json.js';
export type { DsseEnvelope, DsseSigner, DsseTrustedKey, VerifiedEnvelope } from './dsse.js';
export { dsseEnvelopeSchema, IN_TOTO_PAYLOAD_TYPE, keyIdOf, pae, signEnvelope, verifyEnvelope } from './dsse.js';
export type {
  ErrorIssue,
  ErrorShape,
  EvidenceError,
  EvidenceErrorCode,
  EvidenceErrorDetails,
  NoDetails,
} from './evidence-error.js';
export { describeError, evidenceError } from './evidence-error.js';
export type { JournalOptions } from './evidence-journal.js';
export { EvidenceJournal } from './evidence-journal.js';
export { evidenceJsonSchema } from './evidence-json-schema.js';
export type { EvidenceResult } from './evidence-result.js';
export type { InTotoStatement } from './in-toto-statement.js';
export {
  EVIDENCE_PREDICATE_TYPE,
  inTotoStatementSchema,
  parseStatement,
  STATEMENT_TYPE,
  signBundle,
  statementSubjects,
  toStatement,
} from './in-toto-statement.js';
export type { JournalEntry, JournalHeader, JournalStep, PipelineIntent } from './journal-schema.js';
export { journalEntrySchema, journalHeaderSchema, pipelineIntentSchema } from './journal-schema.js';
export { toJsonPointer } from './json-pointer.js';
export type { LegacyBundle } from './normalize-bundle.js';
export { normalizeBundle } from './normalize-bundle.js';
export { parseBundle } from './parse-bundle.js';
export type { E2Provenance, E3Provenance } from './provenance.js';
export { provenanceOf } from './provenance.js';
export type { CompletedStep, JournalState } from './read-journal.js';
export { readJournal } from './read-journal.js';
export type { CompletionCriterionId, RunbookEntry, RunbookId } from './runbook.js';
export { isRunbookId, RUNBOOK, RUNBOOK_IDS, runbookEntry } from './runbook.js';
export type {
  BlockedRecord,
  ConflictResolution,
  DeployedCommitsRecord,
  DeployedShaRecord,
  DeploymentRecord,
  DriftReport,
  EnumeratedPipeline,
  EnumerationRecord,
  Hotfix,
  LabelRecord,
  LockRecord,
  NoteRecord,
  PickRecord,
  PipelineRecord,
  PromotionBundle,
  ReleaseMergeRequestRecord,
  RollbackRecord,
  SmokeCheckRecord,
  TargetOutcome,
  TargetRecord,
} from './schema/bundle-schema.js';
export {
  blockedRecordSchema,
  hotfixForTarget,
  hotfixKey,
  hotfixRef,
  hotfixRefSchema,
  hotfixSchema,
  projectKey,
  promotionBundleSchema,
  READABLE_MAJORS,
  SCHEMA_MAJOR,
  SCHEMA_VERSION,
  targetOutcomeSchema,
  targetRecordSchema,
} from './schema/bundle-schema.js';
export type { Observation, ReportedTime } from './schema/primitives.js';
export {
  absentTimeSchema,
  gitShaSchema,
  httpUrlSchema,
  isoUtcSchema,
  observationSchema,
  projectPathSchema,
  reportedIso,
  reportedTimeSchema,
  sha256DigestSchema,
} from './schema/primitives.js';
export {
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
  smokeCheckRecordSchema,
} from './schema/target-records.js';
export type { RecordedVariable, SecretScanOptions } from './secrets.js';
export { assertNoSecrets, findSecrets, recordVariables } from './secrets.js';
