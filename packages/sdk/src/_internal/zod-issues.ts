import type { z } from 'zod';

/** Flattens zod issues into `{ path, message }` with dotted paths (`retry.maxAttempts`, `items[2].id`). */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.reduce<string>(
      (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
      '',
    ),
    message: issue.message,
  }));
}
