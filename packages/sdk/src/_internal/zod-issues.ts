import { type ErrorIssue, toJsonPointer } from '@hotfix-release/evidence';
import type { z } from 'zod';

/** Flattens zod issues into `{ pointer, message }`, located by JSON Pointer (`/retry/maxAttempts`, `/items/2/id`). */
export function zodIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), message: issue.message }));
}
