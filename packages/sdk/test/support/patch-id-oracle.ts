/**
 * `git patch-id --stable` as the oracle for our patch-id, on the generated picks (renames,
 * mode changes, binary files, symlinks, gitlinks, CRLF, latin1): from `git show` text, from
 * local trees (`git diff --no-renames --full-index`), and from GitLab-shaped per-file diffs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitLabFileDiff } from '../../src/_internal/patch-id/gitlab-patch.js';
import { importCases, initRepo } from './native-git.js';
import { randomCase } from './random-repo.js';

export interface PatchIdCase {
  readonly commit: string;
  /** `git show <commit>` text and its native patch-id. */
  readonly show: string;
  readonly showId: string | undefined;
  /** Native patch-id of `git diff --no-renames --full-index <commit>^ <commit>`. */
  readonly treeId: string | undefined;
  /** `git diff -M --full-index` split into GitLab's per-file shape, and its native patch-id. */
  readonly gitlab: GitLabFileDiff[];
  readonly gitlabId: string | undefined;
}

/** Generates `count` picks and asks native git for their patch-ids (one shell process). */
export function patchIdCases(seed: number, count: number): { gitdir: string; cases: PatchIdCase[] } {
  const dir = initRepo('patch-id-');
  const imported = importCases(
    dir,
    Array.from({ length: count }, (_, k) => randomCase(seed, k)),
  );
  const script = imported
    .map(
      ({ picked: c }, i) =>
        `echo "@@ ${i}"; git show ${c} > ${i}.show; git patch-id --stable < ${i}.show; echo "--"; ` +
        `git diff --no-renames --full-index ${c}^ ${c} | git patch-id --stable; echo "--"; ` +
        `git diff -M --full-index ${c}^ ${c} > ${i}.gl; git patch-id --stable < ${i}.gl`,
    )
    .join('\n');
  const work = join(dir, '.git');
  const res = spawnSync('sh', ['-s'], {
    cwd: work,
    input: script,
    env: { ...process.env, GIT_DIR: work },
    maxBuffer: 1 << 28,
  });
  const blocks = res.stdout.toString('latin1').split('@@ ').slice(1);
  const cases = blocks.map((block, i) => {
    const [show, tree, gl] = block.split('\n').slice(1).join('\n').split('--\n') as [string, string, string];
    const id = (s: string) => /^([0-9a-f]{40}) /.exec(s)?.[1];
    return {
      commit: imported[i]!.picked,
      show: readFileSync(join(work, `${i}.show`), 'latin1'),
      showId: id(show),
      treeId: id(tree),
      gitlab: toGitLab(readFileSync(join(work, `${i}.gl`), 'latin1')),
      gitlabId: id(gl),
    };
  });
  return { gitdir: work, cases };
}

/** Splits `git diff` text into GitLab's per-file objects (hunks only in `diff`). */
export function toGitLab(text: string): GitLabFileDiff[] {
  const files: GitLabFileDiff[] = [];
  for (const chunk of text.split(/^(?=diff --git )/m).filter(Boolean)) {
    const lines = chunk.split('\n');
    const m = /^diff --git a\/(.*) b\/(.*)$/.exec(lines[0]!)!;
    const field = (p: string) => lines.find((l) => l.startsWith(p))?.slice(p.length);
    const at = lines.findIndex((l) => l.startsWith('@@ ') || l.startsWith('Binary files'));
    const oldMode = field('old mode ') ?? field('deleted file mode ') ?? field('index ')?.split(' ')[1];
    const newMode = field('new mode ') ?? field('new file mode ') ?? field('index ')?.split(' ')[1];
    files.push({
      diff: at < 0 ? '' : lines.slice(at).join('\n'),
      old_path: field('rename from ') ?? m[1]!,
      new_path: field('rename to ') ?? m[2]!,
      a_mode: field('new file mode ') ? '0' : (oldMode ?? null),
      b_mode: field('deleted file mode ') ? '0' : (newMode ?? null),
      new_file: field('new file mode ') !== undefined,
      deleted_file: field('deleted file mode ') !== undefined,
      renamed_file: field('rename from ') !== undefined,
    });
  }
  return files;
}
