/**
 * Path safety in one place (issue 22): every name that comes from a repository (a tree entry, a
 * conflict path) is checked with the rules git itself applies before it writes a path into a
 * work tree (`verify_path` in git's read-cache.c, with `core.protectNTFS` and `core.protectHFS`
 * on, as git enables them by default since 2.24/2.26), and every file we write on the operator's
 * disk goes through {@link writeFileInside}, which checks containment on the real filesystem
 * (no symlink on the way, no existing file replaced) instead of comparing strings.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Why a repository name or path was refused. @see D3 */
export type UnsafePathReason =
  | 'empty'
  | 'dot'
  | 'dot-dot'
  | 'slash'
  | 'nul'
  | 'control-character'
  | 'git-dir'
  | 'not-utf8'
  | 'absolute'
  | 'too-long';

// The names HFS+ ignores when comparing (git's `is_hfs_dotgit`): zero-width and direction marks.
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/** `.git` as NTFS would also open it: any case, trailing dots and spaces, an alternate data stream, `git~1`. */
function isNtfsDotGit(name: string): boolean {
  const lower = name.toLowerCase();
  if (/^git~1(?:[. ]*)?(?::.*)?$/.test(lower)) return true;
  return /^\.git[. ]*(?::.*)?$/.test(lower);
}

/**
 * Checks one name of a tree entry (no `/`). Returns why git would refuse it, or `undefined`
 * when it is safe to write: not empty, not `.` or `..`, no `/`, NUL or other C0/DEL control
 * character, not `.git` in any spelling NTFS or HFS+ would open as `.git` (`.GIT`, `.git.`,
 * `.git `, `git~1`, `.git::$INDEX_ALLOCATION`, `.g\u200cit`), and no U+FFFD (a name that was not
 * valid UTF-8 arrives replaced and can no longer be written back as the repository holds it).
 *
 * @see D3
 */
export function checkRepoName(name: string): UnsafePathReason | undefined {
  if (name.length === 0) return 'empty';
  if (name === '.') return 'dot';
  if (name === '..') return 'dot-dot';
  if (name.includes('/')) return 'slash';
  if (name.includes('\0')) return 'nul';
  // Control characters: git itself allows them, but they rewrite the operator's terminal and
  // no hotfix needs one in a path name, so we refuse them too.
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return 'control-character';
  }
  if (name.includes('\ufffd')) return 'not-utf8';
  if (isNtfsDotGit(name) || name.replace(HFS_IGNORED, '').toLowerCase() === '.git') return 'git-dir';
  // NTFS also treats a backslash as a separator: `a\..\x` would climb on Windows.
  if (name.includes('\\')) return 'slash';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'too-long';
  return undefined;
}

/**
 * Checks a repository path (`a/b/c.ts`): not absolute, and each `/`-separated component is a
 * name git would write: not empty, `.` or `..`, no NUL, backslash or control character, not
 * `.git` in any spelling NTFS or HFS+ would open as `.git` (`.GIT`, `.git.`, `git~1`), valid UTF-8. Returns the first problem with the component it found, or `undefined`.
 *
 * @see D3
 */
export function checkRepoPath(path: string): { reason: UnsafePathReason; component: string } | undefined {
  if (path.startsWith('/')) return { reason: 'absolute', component: path };
  if (path.length === 0) return { reason: 'empty', component: path };
  for (const component of path.split('/')) {
    const reason = checkRepoName(component);
    if (reason !== undefined) return { reason, component };
  }
  return undefined;
}

/** Thrown by {@link writeFileInside} when a write would leave its root or follow a link. */
export class UnsafeWriteError extends Error {
  /** The repository-relative path that was refused. */
  readonly path: string;
  /** Why: an unsafe name, a symbolic link, or something other than a folder on the way. */
  readonly reason: UnsafePathReason | 'symlink' | 'not-a-directory' | 'exists' | 'outside';
  constructor(path: string, reason: UnsafeWriteError['reason']) {
    super(`refusing to write ${JSON.stringify(path)}: ${reason}`);
    this.name = 'UnsafeWriteError';
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Writes `data` at the repository path `rel` under the folder `root`, with real containment:
 * the path must pass {@link checkRepoPath}; every parent is created or must already be a real
 * folder (never a symbolic link) whose real path stays under the real path of `root`; the
 * file is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so neither an existing file nor a link
 * planted in its place is ever written through. With `replace`, an existing regular file is
 * replaced by renaming a freshly written file over it (a rename replaces a link, never follows it).
 * Throws {@link UnsafeWriteError} on refusal (callers map it to their typed error).
 *
 * @see D3
 */
export async function writeFileInside(
  root: string,
  rel: string,
  data: Uint8Array | string,
  options: { readonly replace?: boolean } = {},
): Promise<string> {
  const bad = checkRepoPath(rel);
  if (bad) throw new UnsafeWriteError(rel, bad.reason);
  await mkdir(root, { recursive: true });
  const realRoot = await realpath(root);
  const parts = rel.split('/');
  let dir = realRoot;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    const st = await lstat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (st === undefined) await mkdir(dir);
    else if (st.isSymbolicLink()) throw new UnsafeWriteError(rel, 'symlink');
    else if (!st.isDirectory()) throw new UnsafeWriteError(rel, 'not-a-directory');
    const real = await realpath(dir);
    if (real !== dir || !`${real}${sep}`.startsWith(`${realRoot}${sep}`)) throw new UnsafeWriteError(rel, 'outside');
  }
  const file = join(dir, parts[parts.length - 1] ?? '');
  const existing = await lstat(file).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw new UnsafeWriteError(rel, 'symlink');
  if (existing !== undefined && !(options.replace && existing.isFile())) throw new UnsafeWriteError(rel, 'exists');
  const target = existing ? join(dir, `.${parts[parts.length - 1]}.${randomBytes(6).toString('hex')}.tmp`) : file;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(target, flags, 0o644).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') throw new UnsafeWriteError(rel, 'exists');
    if (e.code === 'ELOOP') throw new UnsafeWriteError(rel, 'symlink');
    throw e;
  });
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  if (target !== file) {
    try {
      await rename(target, file);
    } catch (e) {
      await unlink(target).catch(() => undefined);
      throw e;
    }
  }
  return file;
}
