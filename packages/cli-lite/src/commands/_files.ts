import { readFile } from 'node:fs/promises';
import { hotfixRef, type PromotionBundle, parseBundle } from '@hotfix-release/evidence';
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

/**
 * The promotion's identity as its release locks name it (see the SDK's promoteHotfix): `<mr>[+<mr>…]@<startedAt>`,
 * and the MRs as `a!1, b!2`.
 */
export function promotionIdentityOf(bundle: PromotionBundle): { promotionId: string; mr: string } {
  const refs = bundle.hotfixes.map((h) => hotfixRef(h.mr));
  return { promotionId: `${refs.join('+')}@${bundle.startedAt}`, mr: refs.join(', ') };
}

/** The MRs of a bundle as promotion options: one `mr` with its targets, or (D4) `hotfixes` with theirs. */
export function promotionRequestOf(
  bundle: PromotionBundle,
):
  | { mr: { project: string; iid: number }; targets: string[] }
  | { hotfixes: { mr: { project: string; iid: number }; targets?: string[]; dependsOn?: string[] }[] } {
  const [only] = bundle.hotfixes;
  if (bundle.hotfixes.length === 1 && only)
    return { mr: { project: only.mr.project, iid: only.mr.iid }, targets: bundle.targets.map((t) => t.project) };
  return {
    hotfixes: bundle.hotfixes.map((h) => {
      const mine = bundle.targets.filter((t) => t.hotfix === hotfixRef(h.mr));
      const further = mine.filter((t) => t.project !== h.mr.project).map((t) => t.project);
      const dependsOn = mine[0]?.dependsOn;
      return {
        mr: { project: h.mr.project, iid: h.mr.iid },
        ...(further.length > 0 ? { targets: further } : {}),
        ...(dependsOn ? { dependsOn } : {}),
      };
    }),
  };
}
