import { err, ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { type HotfixError, hotfixError } from '../errors.js';
import { zodIssues } from './zod-issues.js';

/** Parses one options object with its zod schema; a bad field is an `invalid-input` error naming it. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): Result<z.output<S>, HotfixError> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = zodIssues(parsed.error);
  return err(
    hotfixError(
      'invalid-input',
      `Invalid ${what} options: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
      {
        details: { pointer: issues[0]?.pointer ?? '', issues },
      },
    ),
  );
}
