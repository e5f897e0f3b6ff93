import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { type HotfixError, hotfixError } from '../errors.js';
import { zodIssues } from './zod-issues.js';

/** Validates a GitLab response body; a mismatch is `response-invalid` naming the endpoint and the field. */
export function validate<S extends z.ZodType>(
  schema: S,
  body: unknown,
  method: string,
  route: string,
): Result<z.output<S>, HotfixError> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  const issues = zodIssues(parsed.error).slice(0, 10);
  const first = issues[0];
  return err(
    hotfixError(
      'response-invalid',
      `GitLab's answer to ${method} ${route} does not have the expected shape${first ? `: ${first.pointer || '(body)'}: ${first.message}` : ''}.`,
      { details: { method, route, issues } },
    ),
  );
}
