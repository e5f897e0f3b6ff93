/**
 * Patch-id of the per-file diffs GitLab's API returns (`/repository/commits/:sha/diff`,
 * `/repository/compare`, MR diffs): each has `diff` (hunks, without git's header),
 * `old_path`, `new_path`, modes and flags. We rebuild the header `git diff` would print and
 * hash the result with {@link patchId}.
 */
import { patchId } from '../patch-id.js';

/** One file of a GitLab diff, as the REST API returns it. */
export interface GitLabFileDiff {
  readonly diff: string;
  readonly old_path: string;
  readonly new_path: string;
  readonly a_mode?: string | null | undefined;
  readonly b_mode?: string | null | undefined;
  readonly new_file?: boolean;
  readonly deleted_file?: boolean;
  readonly renamed_file?: boolean;
  /**
   * The blob ids before and after (40 zeros for an absent side), which GitLab's payload lacks:
   * given them, a binary file's patch-id is exact (git hashes a binary change by its ids).
   */
  readonly blob_ids?: readonly [string, string];
}

/**
 * The patch-id and whether it is exactly git's. It is not when the payload lacks what git
 * hashes: blob ids of binary files, or the similarity index of a rename with edits.
 */
export interface GitLabPatchId {
  readonly id: string | undefined;
  readonly exact: boolean;
}

/** Computes `git patch-id --stable` of a commit's diff as GitLab returns it. */
export function patchIdOfGitLabDiffs(files: readonly GitLabFileDiff[]): GitLabPatchId {
  let exact = true;
  const sorted = [...files].sort((x, y) => compare(x.new_path, y.new_path));
  const text = sorted
    .map((f) => {
      const body = f.diff.endsWith('\n') || f.diff === '' ? f.diff : `${f.diff}\n`;
      const hasHunks = /^@@ /m.test(body);
      const binary = /^Binary files /m.test(body);
      if (binary && !f.blob_ids) exact = false;
      if (f.renamed_file && hasHunks) exact = false;
      const head = [`diff --git a/${f.old_path} b/${f.new_path}`];
      const [a, b] = [f.a_mode ?? undefined, f.b_mode ?? undefined];
      if (f.new_file) head.push(`new file mode ${b ?? '100644'}`);
      else if (f.deleted_file) head.push(`deleted file mode ${a ?? '100644'}`);
      else if (a && b && a !== b) head.push(`old mode ${a}`, `new mode ${b}`);
      if (f.renamed_file) {
        head.push(
          `similarity index ${hasHunks ? '??' : '100'}%`,
          `rename from ${f.old_path}`,
          `rename to ${f.new_path}`,
        );
      }
      if (binary && f.blob_ids) head.push(`index ${f.blob_ids[0]}..${f.blob_ids[1]}`);
      if (hasHunks && !body.startsWith('--- ')) {
        head.push(
          f.new_file ? '--- /dev/null' : `--- a/${f.old_path}`,
          f.deleted_file ? '+++ /dev/null' : `+++ b/${f.new_path}`,
        );
      }
      return `${head.join('\n')}\n${body}`;
    })
    .join('');
  return { id: patchId(text), exact };
}

function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
