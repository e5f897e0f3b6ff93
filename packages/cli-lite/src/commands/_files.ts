import { readFile } from 'node:fs/promises';
import { type PromotionBundle, parseBundle } from '@hotfix-release/evidence';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem } from '../problem.js';
import { errorDetail, problemFromError } from '../sdk-problem.js';

/** Reads a file as text; a missing or unreadable file is a problem with the given code and exit code. */
export async function readTextFile(path: string, what: string, code: string, exitCode: number): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ProblemError(
      problem({
        code,
        detail: `${what} ${path} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        exitCode: exitCode as typeof EXIT_CODES.unevaluable,
        extra: { file: path },
      }),
    );
  }
}

/** Parses JSON text; invalid JSON is an `evidence-unreadable` problem (exit 2). */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ProblemError(
      problem({
        code: 'evidence-unreadable',
        detail: `${path} is not JSON (${(e as Error).message})`,
        exitCode: EXIT_CODES.unevaluable,
        extra: { file: path },
      }),
    );
  }
}

/** Reads and validates an evidence bundle (exit 2 when it cannot be read or is invalid). */
export async function readBundle(path: string): Promise<PromotionBundle> {
  const value = parseJsonText(
    await readTextFile(path, 'Evidence bundle', 'evidence-unreadable', EXIT_CODES.unevaluable),
    path,
  );
  const bundle = parseBundle(value);
  if (!bundle.isOk())
    throw new ProblemError(
      problemFromError(bundle.error, {
        detail: `${path}: ${errorDetail(bundle.error)}`,
        exitCode: EXIT_CODES.unevaluable,
        extra: { file: path },
      }),
    );
  return bundle.value;
}
