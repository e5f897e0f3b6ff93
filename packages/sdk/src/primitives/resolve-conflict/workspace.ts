/**
 * The human mode of D3: the conflicted files, with markers, in a plain folder the operator
 * edits with any editor, plus a state folder (`.hotfix-resolution/`) holding what the merge was
 * about and each side's bytes for reference. The folder is hostile ground (issue 22): every
 * write goes through writeFileInside (git's path rules, no symlink followed, nothing
 * overwritten), the state file is schema-checked and carries a digest, and reading back takes
 * only files the operator changed: a file still holding the bytes the tool wrote is nobody's answer.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentDigest } from '@hotfix-release/evidence';
import { z } from 'zod';
import { type HotfixError, hotfixError } from '../../errors.js';
import { checkRepoPath, writeFileInside } from '../../safe-path.js';
import type { ConflictToResolve } from './merge-plan.js';

/** The folder inside the workspace that holds the state file and the sides. */
export const STATE_DIR = '.hotfix-resolution';
/** The state file, relative to the workspace. */
export const STATE_FILE = `${STATE_DIR}/state.json`;

const sha1 = z.string().regex(/^[0-9a-f]{40}$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const repoPath = z.string().refine((p) => checkRepoPath(p) === undefined, 'an unsafe repository path');

/**
 * What `continue` needs to redo the merge exactly as the operator saw it. It never holds a push
 * URL or credentials: those come from the caller's options every time.
 */
const stateSchema = z.strictObject({
  version: z.literal(2),
  project: z.string().min(1),
  branch: z.string().min(1),
  original: sha1,
  mainline: z.number().int().min(1).optional(),
  releaseHead: sha1,
  createdAt: z.iso.datetime(),
  conflicts: z.array(z.strictObject({ path: repoPath, reason: z.string() })),
  /** sha256 of every file the tool wrote, by repository path: an unchanged file is not an answer. */
  written: z.record(repoPath, sha256),
  /** The outcome of a successful `continue`; believed only while release still points at its commit. */
  pushed: z.looseObject({ kind: z.enum(['resolved', 'picked']), commit: sha1 }).optional(),
  /** `sha256:` of the canonical JSON of everything above. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

/** The state of a workspace. */
export type WorkspaceState = Omit<z.output<typeof stateSchema>, 'digest'>;

const sha256Of = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const invalid = (paths: readonly string[], reason: string, message: string): HotfixError =>
  hotfixError('resolution-invalid', message, { runbookRef: 'D3', details: { paths, reason } });

/** Thrown inside the workspace code; runResolution returns the error it carries. */
export class WorkspaceError extends Error {
  constructor(readonly error: HotfixError) {
    super(error.message);
  }
}

/**
 * Files in the workspace (outside the state folder), by repository path. A symbolic link, or
 * anything that is neither a file nor a folder, is refused: an answer is a plain file.
 */
export async function listWorkspaceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string, prefix: string): Promise<void> => {
    for (const e of await readdir(at, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (rel === STATE_DIR) continue;
      if (e.isSymbolicLink()) {
        throw new WorkspaceError(invalid([rel], 'symlink', `${rel} in the workspace is a symbolic link; remove it.`));
      }
      if (e.isDirectory()) await walk(join(at, e.name), rel);
      else if (e.isFile()) out.push(rel);
      else throw new WorkspaceError(invalid([rel], 'not-a-file', `${rel} in the workspace is not a regular file.`));
    }
  };
  await walk(dir, '');
  return out.sort();
}

/**
 * Writes each conflicted file (with markers for text conflicts, else ours, else theirs) and
 * the sides under `.hotfix-resolution/sides/{base,ours,theirs}/<path>`, then the state file
 * with the sha256 of every file written. Refuses (typed) a path git would refuse or a write
 * that would leave the folder.
 */
export async function writeWorkspace(
  dir: string,
  state: Omit<WorkspaceState, 'written'>,
  conflicts: readonly ConflictToResolve[],
): Promise<void> {
  const written: Record<string, string> = {};
  const put = async (rel: string, data: Uint8Array) => {
    await writeFileInside(dir, rel, data);
  };
  for (const c of conflicts) {
    const bad = checkRepoPath(c.path);
    if (bad) {
      throw new WorkspaceError(
        invalid(
          [c.path],
          `unsafe-path:${bad.reason}`,
          `Refusing the conflict path ${JSON.stringify(c.path)} (${bad.reason}).`,
        ),
      );
    }
    const initial = c.merged ?? c.ours?.content ?? c.theirs?.content;
    if (initial !== undefined) {
      await put(c.path, initial);
      written[c.path] = sha256Of(initial);
    }
    for (const name of ['base', 'ours', 'theirs'] as const) {
      const content = c[name]?.content;
      if (content !== undefined) await put(`${STATE_DIR}/sides/${name}/${c.path}`, content);
    }
  }
  await writeState(dir, { ...state, written });
}

/** Writes (or replaces) the state file with its digest. */
export async function writeState(dir: string, state: WorkspaceState): Promise<void> {
  const { mainline, pushed, ...rest } = state;
  // Through JSON once, so the digest covers exactly what is written (no undefined members).
  const body = JSON.parse(
    JSON.stringify({ ...rest, ...(mainline !== undefined ? { mainline } : {}), ...(pushed ? { pushed } : {}) }),
  ) as Record<string, unknown>;
  const digest = contentDigest(body);
  if (!digest.isOk()) throw new Error(`the workspace state cannot be digested: ${digest.error.message}`);
  await writeFileInside(dir, STATE_FILE, `${JSON.stringify({ ...body, digest: digest.value }, null, 2)}\n`, {
    replace: true,
  });
}

/**
 * Reads and checks the state file, or undefined when the folder has none. A file that does not
 * match the schema or whose digest does not match its content is `resolution-invalid`.
 */
export async function readState(dir: string): Promise<WorkspaceState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, ...STATE_FILE.split('/')), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const tampered = (why: string) =>
    new WorkspaceError(
      invalid(
        [STATE_FILE],
        'state-invalid',
        `The workspace state ${STATE_FILE} ${why}; start a new resolution in an empty folder.`,
      ),
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw tampered('is not JSON');
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) throw tampered(`is not a resolution state (${parsed.error.issues[0]?.path.join('.') ?? ''})`);
  const { digest, ...body } = parsed.data;
  const expected = contentDigest(body);
  if (!expected.isOk() || expected.value !== digest) throw tampered('was changed (its digest does not match)');
  return body;
}

/**
 * Reads back what the operator answered, by repository path: every file whose content differs
 * from what the tool wrote (or that it did not write), plus the paths in `accept` (the operator
 * names a file whose written content is the answer, say "ours as is").
 */
export async function readWorkspace(
  dir: string,
  state: WorkspaceState,
  accept: readonly string[] = [],
): Promise<{ answers: Map<string, Uint8Array>; unchanged: string[] }> {
  const answers = new Map<string, Uint8Array>();
  const unchanged: string[] = [];
  for (const rel of await listWorkspaceFiles(dir)) {
    const data = new Uint8Array(await readFile(join(dir, ...rel.split('/'))));
    const wrote = state.written[rel];
    if (wrote === undefined || wrote !== sha256Of(data) || accept.includes(rel)) answers.set(rel, data);
    else unchanged.push(rel);
  }
  return { answers, unchanged };
}
