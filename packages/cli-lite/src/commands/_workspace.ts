/**
 * The human side of D3 for `hotfix promote --resolve <dir>` and `hotfix resolve --continue <dir>`:
 * a resolver for the SDK's promoteHotfix({ resolveConflicts }) that writes each conflicted file
 * (with git's markers) into the workspace the first time and gives up, and once the operator has
 * edited it (no markers left) answers with the edited bytes. The SDK then verifies the tree,
 * pushes with compare-and-swap and records the resolution as evidence.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { ConflictResolver } from '@hotfix-release/sdk';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem } from '../problem.js';

/** The file in the workspace that ties it to its promotion. */
export const WORKSPACE_NOTE = '.hotfix-promotion.json';

/** What `hotfix resolve --continue` needs to continue the promotion. */
export interface WorkspaceNote {
  readonly journal: string;
  readonly evidence: string;
}

const MARKERS = /^(<{7} |={7}$|>{7} )/m;

/** Writes the note that ties a workspace to its promotion. */
export async function writeWorkspaceNote(dir: string, note: WorkspaceNote): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, WORKSPACE_NOTE), `${JSON.stringify(note, null, 2)}\n`);
}

/** Reads the note of a workspace; a folder without one is a problem (exit 3). */
export async function readWorkspaceNote(dir: string): Promise<WorkspaceNote> {
  try {
    const v = JSON.parse(await readFile(join(dir, WORKSPACE_NOTE), 'utf8')) as Partial<WorkspaceNote>;
    if (typeof v.journal === 'string' && typeof v.evidence === 'string')
      return { journal: v.journal, evidence: v.evidence };
  } catch {
    // reported below
  }
  throw new ProblemError(
    problem({
      code: 'invalid-input',
      title: 'Not a resolution workspace',
      detail: `${dir} is not a resolution workspace (no ${WORKSPACE_NOTE}); start with "hotfix promote --mr … --resolve ${dir}".`,
      exitCode: EXIT_CODES.configuration,
      runbookRef: 'D3',
      extra: { details: { pointer: '/workspaceDir' } },
    }),
  );
}

/** The resolver: conflicted files go into `dir`; an edited file without markers is the answer. */
export function workspaceResolver(dir: string, written: string[]): ConflictResolver {
  return async (c) => {
    const file = resolve(dir, c.path);
    if (relative(dir, file).startsWith('..')) return null;
    if (!existsSync(file)) {
      // Binary conflicts have no merged text: the operator places the resolved file there.
      if (c.merged) {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, c.merged);
      }
      written.push(c.path);
      return null;
    }
    const bytes = await readFile(file);
    if (!c.binary && MARKERS.test(bytes.toString('utf8'))) {
      written.push(c.path);
      return null;
    }
    return new Uint8Array(bytes);
  };
}
