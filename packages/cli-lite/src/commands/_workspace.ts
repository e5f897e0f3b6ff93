/**
 * The human side of D3 for `hotfix promote --resolve <dir>` and `hotfix resolve --continue <dir>`:
 * a resolver for the SDK's promoteHotfix({ resolveConflicts }) that writes each conflicted file
 * (with git's markers) into the workspace the first time and gives up, and once the operator has
 * edited it answers with the edited bytes. The SDK then verifies the tree, pushes with
 * compare-and-swap and records the resolution as evidence.
 *
 * The workspace is hostile ground (issue 22). It must be empty (or new) when the promotion
 * starts; each target gets its own sub-folder (`<group>+<project>/`), so one target's edit never
 * answers another's conflict; every write goes through the SDK's writeFileInside (git's path
 * rules, no symlink followed, nothing overwritten); the note records the sha256 of every file the
 * tool wrote, and a file still holding those bytes is nobody's answer unless the operator names it
 * with --accept. The note is schema-checked and sealed with a digest; it never holds a push URL or
 * credentials, and its evidence/journal paths are used only when they lie inside the workspace or
 * the operator confirms them with --evidence.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { contentDigest } from '@hotfix-release/evidence';
import type { ConflictResolver } from '@hotfix-release/sdk';
import { z } from 'zod';
import { EXIT_CODES } from '../exit-codes.js';
import type { Sdk } from '../gitlab.js';
import { ProblemError, problem } from '../problem.js';

/** The file in the workspace that ties it to its promotion. */
export const WORKSPACE_NOTE = '.hotfix-promotion.json';

const noteSchema = z.strictObject({
  version: z.literal(2),
  /** Absolute path of the evidence bundle; the journal sits next to it. */
  evidence: z.string().min(1),
  journal: z.string().min(1),
  /** sha256 of every file the tool wrote, by workspace-relative path. */
  written: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

/** What `hotfix resolve --continue` needs to continue the promotion. */
export type WorkspaceNote = Omit<z.output<typeof noteSchema>, 'digest'>;

const MARKERS = /^(<{7} |={7}$|>{7} )/m;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function workspaceProblem(title: string, detail: string, extra: Record<string, unknown> = {}): ProblemError {
  return new ProblemError(
    problem({
      code: 'invalid-input',
      title,
      detail,
      exitCode: EXIT_CODES.configuration,
      runbookRef: 'D3',
      extra: { details: { pointer: '/workspaceDir', ...extra } },
    }),
  );
}

/** The sub-folder of a target: its project path with `/` as `+` (a character GitLab paths never hold). */
export function targetFolder(project: string): string {
  return project.split('/').join('+');
}

async function sealNote(note: WorkspaceNote): Promise<string> {
  const digest = contentDigest(note);
  if (!digest.isOk()) throw new Error(`the workspace note cannot be digested: ${digest.error.message}`);
  return `${JSON.stringify({ ...note, digest: digest.value }, null, 2)}\n`;
}

/**
 * Starts a workspace for `hotfix promote --resolve`: the folder must not exist or be empty (a
 * file already there would otherwise pass for the operator's answer); writes the sealed note.
 */
export async function createWorkspace(
  sdk: Sdk,
  dir: string,
  paths: { readonly journal: string; readonly evidence: string },
): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (st?.isSymbolicLink() || (st && !st.isDirectory()))
    throw workspaceProblem('Workspace refused', `${dir} is not a folder; --resolve needs an empty (or new) folder.`);
  if (st && (await readdir(dir)).length > 0)
    throw workspaceProblem(
      'Workspace refused',
      `${dir} is not empty; --resolve needs an empty (or new) folder, so that only what you edit is taken as your answer.`,
    );
  await mkdir(dir, { recursive: true });
  await sdk.writeFileInside(dir, WORKSPACE_NOTE, await sealNote({ version: 2, ...paths, written: {} }));
}

/**
 * Reads and checks the note of a workspace: schema, digest, and where its paths point. An
 * evidence or journal path outside the workspace is used only when `confirmedEvidence` (the
 * `--evidence` flag) names the same file. A folder without a valid note is a problem (exit 3).
 */
export async function readWorkspaceNote(
  dir: string,
  confirmedEvidence: string | undefined,
  journalFor: (evidence: string) => string,
): Promise<WorkspaceNote> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, WORKSPACE_NOTE), 'utf8'));
  } catch {
    throw workspaceProblem(
      'Not a resolution workspace',
      `${dir} is not a resolution workspace (no ${WORKSPACE_NOTE}); start with "hotfix promote --mr … --resolve ${dir}".`,
    );
  }
  const parsed = noteSchema.safeParse(raw);
  const { digest, ...note } = parsed.success ? parsed.data : { digest: '' };
  const expected = parsed.success ? contentDigest(note) : undefined;
  if (!parsed.success || !expected?.isOk() || expected.value !== digest)
    throw workspaceProblem(
      'Workspace note refused',
      `${join(dir, WORKSPACE_NOTE)} is not a valid, unmodified workspace note; start again in an empty folder.`,
    );
  const n = note as WorkspaceNote;
  if (n.journal !== journalFor(n.evidence))
    throw workspaceProblem(
      'Workspace note refused',
      `The journal ${n.journal} in the note does not belong to ${n.evidence}.`,
    );
  const realDir = await realpath(dir);
  const inside = async (p: string) => {
    const parent = await realpath(resolve(p, '..')).catch(() => undefined);
    return parent !== undefined && `${parent}${sep}`.startsWith(`${realDir}${sep}`);
  };
  if (!(await inside(n.evidence)) && (confirmedEvidence === undefined || resolve(confirmedEvidence) !== n.evidence))
    throw workspaceProblem(
      'Evidence path not confirmed',
      `The workspace note points at the evidence ${n.evidence}, outside the workspace; confirm it with --evidence ${n.evidence}.`,
      { evidence: n.evidence },
    );
  return n;
}

/** Reads a file under `dir` without following a link anywhere on the way; undefined when absent. */
async function readInside(sdk: Sdk, dir: string, rel: string): Promise<Buffer | undefined> {
  let at = await realpath(dir);
  const parts = rel.split('/');
  for (const [i, part] of parts.entries()) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) throw new sdk.UnsafeWriteError(rel, 'symlink');
    if (i < parts.length - 1 && !st.isDirectory()) throw new sdk.UnsafeWriteError(rel, 'not-a-directory');
  }
  const handle = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** The state of one run over a workspace: the note, what was written, what still waits. */
export interface WorkspaceSession {
  /** The resolver to hand to promoteHotfix. */
  readonly resolver: ConflictResolver;
  /** Workspace-relative files the operator has to edit (written now, or still unchanged). */
  readonly edit: string[];
}

/**
 * The resolver over a workspace. A conflicted file not yet in the workspace is written (with
 * markers) and the pick waits; a file still holding what the tool wrote, or still holding
 * markers, keeps waiting; any other content is the operator's answer. `accept` names files whose
 * written content is the answer as is.
 */
export function workspaceSession(
  sdk: Sdk,
  dir: string,
  note: WorkspaceNote,
  accept: readonly string[],
): WorkspaceSession {
  const written: Record<string, string> = { ...note.written };
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    saving = saving.then(async () => {
      const text = await sealNote({ ...note, written });
      await sdk.writeFileInside(dir, WORKSPACE_NOTE, text, { replace: true });
    });
    return saving;
  };
  const edit: string[] = [];
  const resolver: ConflictResolver = async (c, context) => {
    const rel = `${targetFolder(context.project)}/${c.path}`;
    const bytes = await readInside(sdk, dir, rel);
    if (bytes === undefined) {
      // Binary conflicts have no merged text: the operator places the resolved file there.
      if (c.merged) {
        await sdk.writeFileInside(dir, rel, c.merged);
        written[rel] = sha256(c.merged);
        await save();
      }
      edit.push(rel);
      return null;
    }
    const untouched = written[rel] === sha256(bytes) && !accept.includes(rel);
    if (untouched || (!c.binary && MARKERS.test(bytes.toString('utf8')))) {
      edit.push(rel);
      return null;
    }
    return new Uint8Array(bytes);
  };
  return { resolver, edit };
}
