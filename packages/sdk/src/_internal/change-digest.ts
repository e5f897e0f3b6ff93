import { createHash } from 'node:crypto';

/**
 * A digest of what a unified diff of one file changes: its removed and added lines in
 * order, ignoring context lines, hunk positions and whitespace. Two picks of the same
 * change onto different bases agree on it even where their context differs, which
 * `git patch-id` (it hashes context too) would miss.
 */
export function changeDigest(diff: string): string {
  const h = createHash('sha256');
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    const sign = line[0];
    if (sign !== '+' && sign !== '-') continue;
    h.update(sign);
    h.update(line.slice(1).replace(/\s+/g, ''));
    h.update('\n');
  }
  return h.digest('hex');
}

/** Per-path change digests of a list of GitLab diffs (path = new_path, or old_path for deletions). */
export function changeDigestsByPath(
  diffs: readonly {
    old_path: string;
    new_path: string;
    diff: string;
    deleted_file: boolean;
    renamed_file: boolean;
    b_mode?: string | null | undefined;
    a_mode?: string | null | undefined;
  }[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of diffs) {
    const path = d.deleted_file ? d.old_path : d.new_path;
    const modes = d.a_mode !== d.b_mode ? `mode:${d.a_mode ?? ''}>${d.b_mode ?? ''}` : '';
    const rename = d.renamed_file ? `rename:${d.old_path}>${d.new_path}` : '';
    out.set(
      path,
      `${changeDigest(d.diff)}${modes ? `|${modes}` : ''}${rename ? `|${rename}` : ''}${d.deleted_file ? '|deleted' : ''}`,
    );
  }
  return out;
}
