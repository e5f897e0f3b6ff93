/**
 * What the one error dialect requires of an error value, as a list of violations (empty when
 * the value has the shape). Each package's error test runs every one of its codes through this,
 * so the sdk, evidence, policy and CLI errors cannot drift apart again.
 */
import { RUNBOOK_IDS } from '@hotfix-release/evidence';

const ALLOWED = new Set(['code', 'message', 'runbookRef', 'details', 'retryable', 'cause']);
const POINTER = /^(\/([^~/]|~[01])*)*$/;

/** Why `value` is not an error of the one shape; `[]` when it is. */
export function errorShapeViolations(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['not an object'];
  const e = value as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(e)) if (!ALLOWED.has(key)) out.push(`top-level field "${key}" belongs in details`);
  if (typeof e.code !== 'string' || !/^[a-z]+(-[a-z]+)*$/.test(e.code)) out.push('code is not kebab-case');
  if (typeof e.message !== 'string' || e.message.length === 0) out.push('message is empty');
  if (!('runbookRef' in e)) out.push('runbookRef is missing (undefined when none applies)');
  else if (e.runbookRef !== undefined && !(RUNBOOK_IDS as readonly unknown[]).includes(e.runbookRef))
    out.push(`runbookRef ${String(e.runbookRef)} is not a runbook ID`);
  if (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details))
    out.push('details is not an object');
  else out.push(...locationViolations(e.details as Record<string, unknown>));
  if ('retryable' in e && typeof e.retryable !== 'boolean') out.push('retryable is not a boolean');
  return out;
}

function locationViolations(d: Record<string, unknown>): string[] {
  const out: string[] = [];
  const pointer = (p: unknown, where: string) => {
    if (typeof p !== 'string' || !POINTER.test(p)) out.push(`${where} is not a JSON Pointer: ${String(p)}`);
  };
  if ('pointer' in d) pointer(d.pointer, 'details.pointer');
  if ('pointers' in d) for (const [i, p] of (d.pointers as unknown[]).entries()) pointer(p, `details.pointers[${i}]`);
  if ('issues' in d)
    for (const [i, issue] of (d.issues as Record<string, unknown>[]).entries()) {
      if ('path' in issue) out.push(`details.issues[${i}] has a dotted "path": use "pointer"`);
      pointer(issue.pointer, `details.issues[${i}].pointer`);
    }
  if ('field' in d) out.push('details.field: name a location with "pointer"');
  return out;
}
