import { readFile } from 'node:fs/promises';
import { type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { type JournalFile, type JournalStep, journalFileSchema, type PipelineIntent } from './journal-schema.js';
import { issuesFromZod } from './parse-bundle.js';
import { rebuildBundle } from './rebuild-bundle.js';
import type { PromotionBundle } from './schema/bundle-schema.js';

/** One step the journal recorded as completed. */
export interface CompletedStep {
  /** 1-based position in the journal. */
  readonly seq: number;
  /** The step name. */
  readonly step: JournalStep;
  /** The target project, for target steps. */
  readonly target?: string;
  /** When the step was journaled, ISO 8601 UTC. */
  readonly at: string;
}

/**
 * What a journal holds: the partial (or complete) bundle and the completed steps.
 *
 * @example
 * ```ts
 * const r = await readJournal('evidence.journal.json');
 * if (r.isOk() && !r.value.complete) console.log('resume after', r.value.completed.at(-1)?.step);
 * ```
 */
export interface JournalState {
  /** The bundle rebuilt from the journal; valid against the schema even when partial. */
  readonly bundle: PromotionBundle;
  /** Every completed step, in order. */
  readonly completed: readonly CompletedStep[];
  /** Whether the `complete` step was journaled. */
  readonly complete: boolean;
  /** Whether `hotfix abandon` gave the promotion up (it is never resumed). */
  readonly abandoned: boolean;
  /**
   * Per target, the pipeline request journaled before its POST when no pipeline record followed it:
   * the POST may have reached GitLab, so a resumed run reads back before sending again (S4).
   */
  readonly pendingPipelines: Readonly<Record<string, PipelineIntent>>;
}

/**
 * Reads a journal and rebuilds the partial bundle, telling which steps completed.
 *
 * Errors: `journal-io` (unreadable), `journal-corrupt` (not JSON, or not a journal, naming the field).
 *
 * @example
 * ```ts
 * const r = await readJournal('evidence.journal.json');
 * if (r.isOk()) console.log(r.value.completed.map((s) => s.step));
 * ```
 */
export async function readJournal(path: string): Promise<EvidenceResult<JournalState, EvidenceError>> {
  const file = await loadJournalFile(path);
  return file.map(stateOf);
}

/** Reads and validates the journal file. Internal (shared with `EvidenceJournal.open`). */
export async function loadJournalFile(path: string): Promise<EvidenceResult<JournalFile, EvidenceError>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    return errResult(evidenceError('journal-io', 'could not read the journal', { path }, { cause }));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return errResult(evidenceError('journal-corrupt', 'not JSON', { path, issues: [] }));
  }
  const parsed = journalFileSchema.safeParse(json);
  if (!parsed.success) {
    return errResult(
      evidenceError('journal-corrupt', 'not an evidence journal', { path, issues: issuesFromZod(parsed.error) }),
    );
  }
  return okResult(parsed.data);
}

/** The state a journal file describes. Internal. */
export function stateOf(file: JournalFile): JournalState {
  const completed = file.entries.map((e) => ({
    seq: e.seq,
    step: e.step,
    at: e.at,
    ...('target' in e ? { target: e.target } : {}),
  }));
  const pending = new Map<string, PipelineIntent>();
  for (const e of file.entries) {
    if (e.step === 'trigger-intent') pending.set(e.target, e.record);
    else if (e.step === 'trigger') pending.delete(e.target);
  }
  return {
    bundle: rebuildBundle(file.header, file.entries),
    completed,
    complete: file.entries.some((e) => e.step === 'complete'),
    abandoned: file.entries.some((e) => e.step === 'abandon'),
    pendingPipelines: Object.fromEntries(pending),
  };
}
