/**
 * The published shape of `--events ndjson`: every line on stdout is one JSON value, either one of
 * the SDK's FlowEvents (as the live display renders them) or, last, the command's result document
 * (what `--json` prints) or its RFC 9457 problem document.
 */
import { z } from 'zod';

const at = z.iso.datetime({ offset: false }).describe('When it happened, ISO 8601 UTC');
const target = z.string().min(1).describe('The target project path');
const id = z.number().int();

/** One of the SDK's progress events, as one NDJSON line. */
export const flowEventLineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('step'),
    at,
    step: z.string().min(1),
    target: target.optional(),
    status: z.enum(['start', 'done', 'skipped', 'failed']),
    message: z.string(),
  }),
  z.looseObject({ type: z.literal('pipeline-created'), at, target, pipelineId: id, webUrl: z.string() }),
  z.looseObject({
    type: z.literal('pipeline-adopted'),
    at,
    target,
    pipelineId: id,
    webUrl: z.string(),
    why: z.enum(['existing', 'lost-response']),
  }),
  z.looseObject({ type: z.literal('pipeline-status'), at, target, pipelineId: id, status: z.string() }),
  z.looseObject({
    type: z.literal('downstream-found'),
    at,
    target,
    projectId: id,
    pipelineId: id,
    webUrl: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('job-started'), at, target, job: z.string(), webUrl: z.string().optional() }),
  z.looseObject({ type: z.literal('deployment-running'), at, target, deploymentId: id, sha: z.string() }),
  z.looseObject({ type: z.literal('deployment-finished'), at, target, deploymentId: id, status: z.string() }),
  z.looseObject({ type: z.literal('health-ok'), at, target, url: z.string(), version: z.string().nullable() }),
  z.looseObject({ type: z.literal('health-not-ok'), at, target, url: z.string(), problem: z.string() }),
  z.looseObject({
    type: z.literal('waiting'),
    at,
    target,
    phase: z.string(),
    delayMs: z.number().nonnegative(),
    remainingMs: z.number(),
  }),
]);

/** The last line: the command's result document, as `--json` prints it. */
export const resultLineSchema = z.looseObject({ command: z.string().min(1), exitCode: id });

/** The last line when the command failed before a result: RFC 9457 problem details. */
export const problemLineSchema = z.looseObject({
  type: z.string().url(),
  title: z.string(),
  status: id,
  detail: z.string(),
  code: z.string().min(1),
  exitCode: id,
});

/** Any line of `--events ndjson`. */
export const eventLineSchema = z.union([flowEventLineSchema, resultLineSchema, problemLineSchema]);

/** The JSON Schema (draft 2020-12) of one `--events ndjson` line, for tools that wrap the CLI. */
export function cliEventsJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://hotfix-release.dev/schemas/cli-events.schema.json',
    title: 'hotfix --events ndjson line',
    ...z.toJSONSchema(eventLineSchema, { target: 'draft-2020-12', io: 'output' }),
  };
}
