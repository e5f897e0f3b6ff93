import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type Parsed, parseMr, str, strs } from '../args.js';
import type { Settings } from '../config.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem, usageProblem } from '../problem.js';

/**
 * What a promotion promotes: one MR with its targets (`--mr`, `--target`), or (D4 across repositories)
 * several MRs, each with its own targets (`--mr` repeated, `--mrs-file`).
 */
export type PromotionRequestOptions =
  | { readonly mr: { project: string; iid: number }; readonly targets?: readonly string[] | undefined }
  | {
      readonly hotfixes: readonly {
        mr: { project: string; iid: number };
        targets?: string[] | undefined;
        dependsOn?: string[] | undefined;
      }[];
    };

/** The MR from `--mr` (the first; {@link requestOf} takes several), or in GitLab CI from CI_PROJECT_PATH and CI_MERGE_REQUEST_IID. */
export function mrOf(p: Parsed, settings: Settings): { project: string; iid: number } {
  const [flag] = strs(p, 'mr');
  if (flag) return parseMr(flag);
  if (settings.ciMr) return settings.ciMr;
  throw new ProblemError(usageProblem('--mr <group/project>!<iid> is required (e.g. --mr evenergi/charging-api!42)'));
}

/** `--target` values, or undefined for "the MR's project". */
export function targetsOf(p: Parsed): string[] | undefined {
  const t = strs(p, 'target').flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return t.length ? t : undefined;
}

/** The most bytes `--mrs-file` may hold: a list of merge requests, not a data set. */
export const MRS_FILE_MAX_BYTES = 64 * 1024;

const mrTextSchema = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+![1-9]\d{0,9}$/, 'expected <group/project>!<iid>');
const projectSchema = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/, 'expected a project path like group/project');

/**
 * `--mrs-file`: the merge requests of a hotfix that spans repositories (D4), in promotion order, as
 * `[{ "mr": "group/api!12", "targets": ["group/api-mirror"], "dependsOn": ["group/api"] }]` (or
 * `{ "hotfixes": [...] }`); an entry may be just `"group/api!12"` (a GitLab CI array input written out
 * as JSON). Hostile input: validated strictly, unknown fields refused.
 */
const mrsFileEntrySchema = z.union([
  mrTextSchema,
  z.strictObject({
    mr: mrTextSchema,
    targets: z.array(projectSchema).min(1).max(50).optional(),
    dependsOn: z.array(projectSchema).max(50).optional(),
  }),
]);
export const mrsFileSchema = z.union([
  z.array(mrsFileEntrySchema).min(1).max(20),
  z.strictObject({ hotfixes: z.array(mrsFileEntrySchema).min(1).max(20) }),
]);

/**
 * What `hotfix promote`/`hotfix preflight` promote: one `--mr` (or CI's MR) with its `--target`s, or
 * (D4 across repositories) several: `--mr` repeated (each into its own project) or `--mrs-file`.
 */
export async function requestOf(p: Parsed, settings: Settings, cwd: string): Promise<PromotionRequestOptions> {
  const mrs = strs(p, 'mr');
  const file = str(p, 'mrs-file');
  const targets = targetsOf(p);
  if (file !== undefined) {
    if (mrs.length > 0 || targets)
      throw new ProblemError(
        usageProblem('--mrs-file names every MR and its targets: give neither --mr nor --target (D4)'),
      );
    return { hotfixes: await readMrsFile(resolve(cwd, file)) };
  }
  if (mrs.length > 1) {
    if (targets)
      throw new ProblemError(
        usageProblem('with several --mr, each MR goes into its own project; give further targets in --mrs-file (D4)'),
      );
    return { hotfixes: mrs.map((m) => ({ mr: parseMr(m) })) };
  }
  return { mr: mrOf(p, settings), ...(targets ? { targets } : {}) };
}

/**
 * Reads and validates `--mrs-file` (see {@link mrsFileSchema}): a regular file of at most
 * {@link MRS_FILE_MAX_BYTES}; anything else is an `invalid-mrs-file` usage problem naming the field.
 */
export async function readMrsFile(path: string) {
  const fail = (why: string) =>
    new ProblemError(
      problem({
        code: 'invalid-mrs-file',
        detail: `--mrs-file ${path}: ${why} (D4)`,
        exitCode: EXIT_CODES.usage,
        runbookRef: 'D4',
        extra: { file: path },
      }),
    );
  let text: string;
  try {
    // A regular file of bounded size only: never a FIFO, a device or a directory that would block or flood.
    const s = await stat(path);
    if (!s.isFile()) throw fail('not a regular file');
    if (s.size > MRS_FILE_MAX_BYTES) throw fail(`larger than ${MRS_FILE_MAX_BYTES} bytes`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof ProblemError) throw e;
    throw fail(`could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.length > MRS_FILE_MAX_BYTES) throw fail(`larger than ${MRS_FILE_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('not JSON');
  }
  const parsed = mrsFileSchema.safeParse(json);
  if (!parsed.success)
    throw fail(
      parsed.error.issues
        .slice(0, 5)
        .map((i) => `/${i.path.join('/')}: ${i.message}`)
        .join('; '),
    );
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.hotfixes;
  return entries.map((entry) => {
    const e = typeof entry === 'string' ? { mr: entry } : entry;
    return {
      mr: parseMr(e.mr),
      ...(e.targets ? { targets: e.targets } : {}),
      ...(e.dependsOn ? { dependsOn: e.dependsOn } : {}),
    };
  });
}
