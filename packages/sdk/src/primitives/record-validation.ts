/**
 * Recording what was validated (E7) and labelling the MR (S7, E8). The note is
 * written once per promotion and target (found again by a marker, never posted twice),
 * and nothing in it can run as a GitLab quick action. The label is added only after
 * every check passed, only if it already exists, and is read back.
 */
import { createHash } from 'node:crypto';
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { fromBody, must } from '../_internal/must.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { SmokeCheckResult } from './run-smoke-checks.js';

/** Neutralises text GitLab would execute: a line starting with `/` becomes `&#47;…` (renders as `/`, runs nothing). */
export function neutralizeQuickActions(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^(\s*)\//, '$1&#47;'))
    .join('\n');
}

/** What the validation note says. */
export interface ValidationNoteInput {
  /** A stable id of this promotion (the same across resumes), used to find the note again. */
  readonly promotionId: string;
  readonly project: string;
  readonly iid: number;
  /** The service (target project) that was validated. */
  readonly service: string;
  readonly environment: string;
  readonly deployedSha: string;
  readonly pipelineUrl?: string;
  readonly deploymentUrl?: string;
  readonly evidenceDigest?: string;
  readonly checks: readonly SmokeCheckResult[];
}

/** The note as GitLab stored it, with the digest of its body (E7). */
export interface ValidationNote {
  readonly id: number;
  readonly url: string;
  readonly body: string;
  readonly bodyDigest: string;
  readonly createdAt: string;
  /** True when the note already existed (a resumed promotion). */
  readonly reused: boolean;
}

function marker(input: ValidationNoteInput): string {
  return `<!-- hotfix-release:validation ${input.promotionId} ${input.service} -->`;
}

/** Renders the note body: compact Markdown, links, one row per check. */
export function renderValidationNote(input: ValidationNoteInput): string {
  const passed = input.checks.filter((c) => c.result === 'passed').length;
  const rows = input.checks.map(
    (c) =>
      `| ${c.result === 'passed' ? '✅' : '❌'} | ${c.name.replace(/\|/g, '\\|')} | ${c.result} | ${c.durationMs} ms | ${c.message.replace(/\|/g, '\\|')} |`,
  );
  const lines = [
    `**Validated in ${input.environment}**: \`${input.service}\` at \`${input.deployedSha.slice(0, 12)}\` — ${passed}/${input.checks.length} checks passed.`,
    '',
    input.pipelineUrl ? `- Orchestration pipeline: ${input.pipelineUrl}` : '',
    input.deploymentUrl ? `- Deployment: ${input.deploymentUrl}` : '',
    input.evidenceDigest ? `- Evidence digest: \`${input.evidenceDigest}\`` : '',
    '',
    '| | check | result | duration | detail |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    marker(input),
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  return neutralizeQuickActions(lines.join('\n'));
}

/**
 * Writes the validation note on the MR (E7), or finds the one an earlier run of the same
 * promotion wrote. A POST whose answer was lost is reconciled by listing the notes.
 * @see S7 E7
 */
export function writeValidationNote(
  client: GitLabClient,
  input: ValidationNoteInput,
): ResultAsync<ValidationNote, HotfixError> {
  const body = renderValidationNote(input);
  const mark = marker(input);
  const noteUrl = (id: number) => `${client.gitlabUrl}/${input.project}/-/merge_requests/${input.iid}#note_${id}`;
  const toNote = (n: { id: number; body: string; created_at: string }, reused: boolean): ValidationNote => ({
    id: n.id,
    url: noteUrl(n.id),
    body: n.body,
    bodyDigest: `sha256:${createHash('sha256').update(n.body).digest('hex')}`,
    createdAt: n.created_at,
    reused,
  });
  const findExisting = async () => {
    const notes = await must(client.mergeRequestNotes(input.project, input.iid, { maxPages: 20, onLimit: 'partial' }));
    return notes.items.find((n) => !n.system && n.body.includes(mark));
  };
  const work = async (): Promise<ValidationNote> => {
    const existing = await findExisting();
    if (existing) return toNote(existing, true);
    const created = await client.createMergeRequestNote(input.project, input.iid, body);
    if (created.isOk()) return toNote(created.value, false);
    if (created.error.code === 'outcome-unknown' || created.error.code === 'gitlab-unavailable') {
      const after = await findExisting();
      if (after) return toNote(after, false);
    }
    throw { ...created.error, runbookRef: 'E7' };
  };
  return fromBody(work());
}

/** The label as read back after adding it (E8). */
export interface LabelResult {
  readonly name: string;
  readonly present: boolean;
  /** When GitLab says it was added (from resource label events), ISO 8601 UTC. */
  readonly addedAt: string | null;
  readonly alreadyPresent: boolean;
}

/**
 * Adds the validation label to the MR, only when every check passed, only when the
 * label already exists in the project or its group (GitLab's `add_labels` would
 * silently create a misspelt one), then reads it back with when it was added.
 *
 * Errors: `validation-failed` (a check did not pass; nothing is labelled),
 * `label-missing`, transport errors.
 * @see S7 E8
 */
export function labelValidated(
  client: GitLabClient,
  input: {
    readonly project: string;
    readonly iid: number;
    readonly label: string;
    readonly checks: readonly SmokeCheckResult[];
  },
): ResultAsync<LabelResult, HotfixError> {
  const failing = input.checks.filter((c) => c.result !== 'passed');
  if (input.checks.length === 0 || failing.length > 0) {
    return errAsync(
      hotfixError(
        'validation-failed',
        `Not labelling "${input.label}": ${input.checks.length === 0 ? 'no check ran' : `${failing.length} check(s) did not pass`}.`,
        {
          runbookRef: 'S7',
          details: { checks: failing.map((c) => ({ name: c.name, message: `${c.result}: ${c.message}` })) },
        },
      ),
    );
  }
  const work = async (): Promise<LabelResult> => {
    const labels = await must(client.labels(input.project, input.label, { maxPages: 5, onLimit: 'partial' }));
    if (!labels.items.some((l) => l.name === input.label)) {
      throw hotfixError(
        'label-missing',
        `Label "${input.label}" does not exist in ${input.project} or its group; create it (exact spelling) first.`,
        {
          runbookRef: 'E8',
          details: { project: input.project, label: input.label },
        },
      );
    }
    const before = await must(client.mergeRequest(input.project, input.iid));
    const alreadyPresent = before.labels.includes(input.label);
    if (!alreadyPresent) {
      const edited = await client.editMergeRequestLabels(input.project, input.iid, { add: [input.label] });
      // A lost answer is harmless here (adding a present label is a no-op); the read-back decides.
      if (edited.isErr() && edited.error.code !== 'outcome-unknown' && edited.error.code !== 'gitlab-unavailable')
        throw edited.error;
    }
    const after = await must(client.mergeRequest(input.project, input.iid));
    const present = after.labels.includes(input.label);
    const events = await client.labelEvents(input.project, input.iid, { maxPages: 10, onLimit: 'partial' });
    const added = events.isOk()
      ? [...events.value.items].reverse().find((e) => e.action === 'add' && e.label?.name === input.label)
      : undefined;
    return { name: input.label, present, addedAt: added?.created_at ?? null, alreadyPresent };
  };
  return fromBody(work()).andThen((r) =>
    r.present
      ? okAsync(r)
      : errAsync(
          hotfixError('label-missing', `"${input.label}" is not on !${input.iid} after adding it.`, {
            runbookRef: 'E8',
            details: { project: input.project, label: input.label },
          }),
        ),
  );
}
