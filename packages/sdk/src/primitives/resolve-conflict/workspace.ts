/**
 * The human mode of D3: the conflicted files, with markers, in a plain folder the operator
 * edits with any editor, plus a state folder (`.hotfix-resolution/`) holding what the merge was
 * about and each side's bytes for reference. Reading back takes every file outside the state
 * folder: a file the operator added is a change too, and verification will name it.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ConflictToResolve } from './merge-plan.js';

/** The folder inside the workspace that holds the state file and the sides. */
export const STATE_DIR = '.hotfix-resolution';
/** The state file, relative to the workspace. */
export const STATE_FILE = `${STATE_DIR}/state.json`;

/** What `continue` needs to redo the merge exactly as the operator saw it. */
export interface WorkspaceState {
  readonly version: 1;
  readonly project: string;
  readonly branch: string;
  readonly original: string;
  readonly mainline: number | undefined;
  readonly releaseHead: string;
  readonly gitUrl: string;
  readonly createdAt: string;
  readonly conflicts: readonly { readonly path: string; readonly reason: string }[];
  /** Set once the resolution was pushed, so a repeated `continue` reports it instead of pushing again. */
  readonly pushed?: Record<string, unknown>;
}

/** Files in the workspace (outside the state folder), by repository path. */
export async function listWorkspaceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const e of await readdir(at, { withFileTypes: true })) {
      const full = join(at, e.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (rel === STATE_DIR || rel === '.git') continue;
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(rel);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Writes each conflicted file (with markers for text conflicts, else ours, else theirs) and
 * the sides under `.hotfix-resolution/sides/{base,ours,theirs}/<path>`.
 */
export async function writeWorkspace(
  dir: string,
  state: WorkspaceState,
  conflicts: readonly ConflictToResolve[],
): Promise<void> {
  const put = async (rel: string, data: Uint8Array) => {
    const file = join(dir, ...rel.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
  };
  for (const c of conflicts) {
    const initial = c.merged ?? c.ours?.content ?? c.theirs?.content;
    if (initial !== undefined) await put(c.path, initial);
    for (const name of ['base', 'ours', 'theirs'] as const) {
      const content = c[name]?.content;
      if (content !== undefined) await put(`${STATE_DIR}/sides/${name}/${c.path}`, content);
    }
  }
  await writeState(dir, state);
}

/** Writes the state file. */
export async function writeState(dir: string, state: WorkspaceState): Promise<void> {
  await mkdir(join(dir, STATE_DIR), { recursive: true });
  await writeFile(join(dir, ...STATE_FILE.split('/')), `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads the state file, or undefined when the folder has none. */
export async function readState(dir: string): Promise<WorkspaceState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, ...STATE_FILE.split('/')), 'utf8')) as WorkspaceState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reads the files of the workspace back, by repository path. */
export async function readWorkspace(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const rel of await listWorkspaceFiles(dir)) out.set(rel, await readFile(join(dir, ...rel.split('/'))));
  return out;
}
