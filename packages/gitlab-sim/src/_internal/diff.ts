import { runGit } from './git.js';

/** One file of a diff, shaped like GitLab's Entities::Diff. */
export interface GitLabDiff {
  readonly old_path: string;
  readonly new_path: string;
  readonly a_mode: string;
  readonly b_mode: string;
  readonly new_file: boolean;
  readonly renamed_file: boolean;
  readonly deleted_file: boolean;
  readonly diff: string;
  readonly collapsed: boolean;
  readonly too_large: boolean;
  readonly generated_file: boolean;
}

interface RawEntry {
  aMode: string;
  bMode: string;
  status: string;
  oldPath: string;
  newPath: string;
}

/** Parses `git diff --raw -z` output. */
function parseRaw(out: string): RawEntry[] {
  const tokens = out.split('\0');
  const entries: RawEntry[] = [];
  for (let i = 0; i < tokens.length; ) {
    const meta = tokens[i++];
    if (!meta?.startsWith(':')) continue;
    const [aMode, bMode, , , status] = meta.slice(1).split(' ') as [string, string, string, string, string];
    const first = tokens[i++] as string;
    const renamed = status.startsWith('R') || status.startsWith('C');
    const second = renamed ? (tokens[i++] as string) : first;
    entries.push({ aMode, bMode, status, oldPath: first, newPath: second });
  }
  return entries;
}

/** Splits a unified patch into per-file chunks (each starting at `diff --git`). */
function splitPatch(patch: string): string[] {
  const chunks: string[][] = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) chunks.push([]);
    chunks[chunks.length - 1]?.push(line);
  }
  return chunks.map((c) => c.join('\n'));
}

/**
 * GitLab's `diff` text drops git's file header (`diff --git`, `index`, `---`, `+++`) and starts
 * at the first hunk, or at git's "Binary files ... differ" line for binary files.
 */
function hunkText(chunk: string): string {
  const lines = chunk.split('\n');
  const start = lines.findIndex((l) => l.startsWith('@@') || l.startsWith('Binary files '));
  if (start < 0) return '';
  const body = lines.slice(start);
  while (body.length && body[body.length - 1] === '') body.pop();
  return `${body.join('\n')}\n`;
}

/**
 * GitLab's default "Maximum diff patch size" (Admin > Settings > Diff limits, 200 KB; see
 * docs.gitlab.com/administration/diff_limits): a file whose patch exceeds it is marked
 * `too_large` and its `diff` is sent empty, in the UI and in the API alike.
 */
export const DIFF_MAX_PATCH_BYTES = 200 * 1024;

/**
 * The diff between two trees or commits, computed by native git with rename detection
 * (GitLab's default), in GitLab's shape; a file past {@link DIFF_MAX_PATCH_BYTES} is `too_large`.
 */
export async function diffBetween(
  repoDir: string,
  from: string,
  to: string,
  opts: { paths?: readonly string[] } = {},
): Promise<GitLabDiff[]> {
  const common = ['-M', '--full-index', '--no-color', '--no-ext-diff', from, to, '--', ...(opts.paths ?? [])];
  const [raw, patch] = await Promise.all([
    runGit(['diff', '--raw', '-z', ...common], { cwd: repoDir }),
    runGit(['diff', '-p', ...common], { cwd: repoDir }),
  ]);
  const entries = parseRaw(raw.stdout.toString('utf8'));
  const chunks = splitPatch(patch.stdout.toString('utf8'));
  return entries.map((e, i) => {
    const diff = hunkText(chunks[i] ?? '');
    const tooLarge = Buffer.byteLength(diff) > DIFF_MAX_PATCH_BYTES;
    return {
      old_path: e.oldPath,
      new_path: e.newPath,
      a_mode: e.aMode === '000000' ? '0' : e.aMode,
      b_mode: e.bMode === '000000' ? '0' : e.bMode,
      new_file: e.status === 'A',
      renamed_file: e.status.startsWith('R'),
      deleted_file: e.status === 'D',
      diff: tooLarge ? '' : diff,
      collapsed: false,
      too_large: tooLarge,
      generated_file: false,
    };
  });
}
