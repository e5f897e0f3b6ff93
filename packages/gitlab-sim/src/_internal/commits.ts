import type { SimProject } from '../state.js';
import { runGit } from './git.js';

/** The SHA-1 of git's empty tree: the "parent" of a root commit when diffing. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** One commit as native git reports it. */
export interface CommitInfo {
  readonly id: string;
  readonly parentIds: readonly string[];
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authoredDate: string;
  readonly committerName: string;
  readonly committerEmail: string;
  readonly committedDate: string;
  /** The full message as stored in the commit object. */
  readonly message: string;
  /** `Key: value` trailers git parsed from the message, in order. */
  readonly trailers: readonly (readonly [string, string])[];
}

const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%(trailers:unfold,separator=%x1e)', '%B'];
const FORMAT = `--format=${FIELDS.join('%x1f')}`;

/** Rejects option-looking or control-character refs before they reach git's command line. */
export function safeRef(ref: string): boolean {
  return ref.length > 0 && !ref.startsWith('-') && ![...ref].some((ch) => ch.charCodeAt(0) < 0x20);
}

/** Runs `git log` with the simulator's parseable format; undefined when git rejects a revision. */
export async function logCommits(
  repoDir: string,
  revs: readonly string[],
  opts: { skip?: number; max?: number; paths?: readonly string[]; extra?: readonly string[] } = {},
): Promise<CommitInfo[] | undefined> {
  if (!revs.every(safeRef)) return undefined;
  const args = ['log', '-z', FORMAT, ...(opts.extra ?? [])];
  if (opts.skip) args.push(`--skip=${opts.skip}`);
  if (opts.max !== undefined) args.push(`--max-count=${opts.max}`);
  args.push(...revs, '--', ...(opts.paths ?? []));
  const run = await runGit(args, { cwd: repoDir });
  if (run.code !== 0) return undefined;
  const text = run.stdout.toString('utf8');
  return text
    .split('\0')
    .filter((chunk) => chunk.length > 0)
    .map(parseCommit);
}

function parseCommit(chunk: string): CommitInfo {
  const parts = chunk.replace(/^\n/, '').split('\x1f');
  const [id, parents, an, ae, ad, cn, ce, cd, trailers, ...rest] = parts as string[];
  return {
    id: id as string,
    parentIds: parents ? parents.split(' ') : [],
    authorName: an as string,
    authorEmail: ae as string,
    authoredDate: ad as string,
    committerName: cn as string,
    committerEmail: ce as string,
    committedDate: cd as string,
    message: rest.join('\x1f'),
    trailers: (trailers ?? '')
      .split('\x1e')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => {
        const i = t.indexOf(':');
        return [t.slice(0, i).trim(), t.slice(i + 1).trim()] as const;
      }),
  };
}

/** Reads one commit by any revision, or undefined when it does not resolve to a commit. */
export async function readCommit(repoDir: string, rev: string): Promise<CommitInfo | undefined> {
  const sha = await resolveCommit(repoDir, rev);
  if (!sha) return undefined;
  const list = await logCommits(repoDir, [sha], { max: 1 });
  return list?.[0];
}

/** Resolves a branch, tag or SHA to a full commit SHA, or undefined. */
export async function resolveCommit(repoDir: string, rev: string): Promise<string | undefined> {
  if (!safeRef(rev)) return undefined;
  const run = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    cwd: repoDir,
  });
  return run.code === 0 ? run.stdout.toString('utf8').trim() : undefined;
}

/** The head SHA of `refs/heads/<branch>`, or undefined when the branch does not exist. */
export async function branchHead(repoDir: string, branch: string): Promise<string | undefined> {
  if (!safeRef(branch)) return undefined;
  const run = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { cwd: repoDir });
  return run.code === 0 ? run.stdout.toString('utf8').trim() : undefined;
}

/** Every branch with its head SHA, sorted by name (as GitLab lists them). */
export async function listBranches(repoDir: string): Promise<{ name: string; sha: string }[]> {
  const run = await runGit(['for-each-ref', '--format=%(refname:strip=2)%09%(objectname)', 'refs/heads/'], {
    cwd: repoDir,
  });
  return run.stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, sha] = line.split('\t') as [string, string];
      return { name, sha };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(repoDir: string, ancestor: string, descendant: string): Promise<boolean> {
  const run = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], { cwd: repoDir });
  return run.code === 0;
}

/** Lines added and deleted between a commit and its first parent (`git diff --numstat`). */
export async function commitStats(
  repoDir: string,
  commit: CommitInfo,
): Promise<{ additions: number; deletions: number; total: number }> {
  const run = await runGit(['diff', '--numstat', '-M', commit.parentIds[0] ?? EMPTY_TREE, commit.id], {
    cwd: repoDir,
  });
  let additions = 0;
  let deletions = 0;
  for (const line of run.stdout.toString('utf8').split('\n')) {
    const [a, d] = line.split('\t');
    if (a && a !== '-') additions += Number(a);
    if (d && d !== '-') deletions += Number(d);
  }
  return { additions, deletions, total: additions + deletions };
}

/** GitLab renders commit times with milliseconds and the commit's own offset. */
function gitlabTime(iso: string): string {
  return iso.replace(/(T\d\d:\d\d:\d\d)([+-Z])/, '$1.000$2');
}

/**
 * A commit title as GitLab computes it (`Commit#title`): the first line; from 100 characters on,
 * cut to 81 with `...` at the last space that fits (Rails' `truncate(81, separator: ' ')`).
 */
export function commitTitle(message: string): string {
  const first = message.split(/[\r\n]/, 1)[0] ?? '';
  if (first.length < 100) return first;
  const room = 81 - 3;
  const space = first.lastIndexOf(' ', room);
  return `${first.slice(0, space >= 0 ? space : room)}...`;
}

/** Entities::Commit (commit/basic.json). Trailers are filled only when asked for, as GitLab does. */
export function commitEntity(
  c: CommitInfo,
  project: SimProject,
  baseUrl: string,
  opts: { trailers?: boolean } = {},
): Record<string, unknown> {
  const trailers: Record<string, string> = {};
  const extended: Record<string, string[]> = {};
  if (opts.trailers) {
    for (const [k, v] of c.trailers) {
      trailers[k] = v;
      extended[k] = [...(extended[k] ?? []), v];
    }
  }
  return {
    id: c.id,
    short_id: c.id.slice(0, 8),
    created_at: gitlabTime(c.committedDate),
    parent_ids: [...c.parentIds],
    title: commitTitle(c.message),
    message: c.message,
    author_name: c.authorName,
    author_email: c.authorEmail,
    authored_date: gitlabTime(c.authoredDate),
    committer_name: c.committerName,
    committer_email: c.committerEmail,
    committed_date: gitlabTime(c.committedDate),
    trailers,
    extended_trailers: extended,
    web_url: `${baseUrl}/${project.path}/-/commit/${c.id}`,
  };
}

/** Entities::CommitDetail (commit/detail.json): the basic entity plus stats, status, last pipeline. */
export async function commitDetailEntity(
  c: CommitInfo,
  project: SimProject,
  baseUrl: string,
  opts: { stats?: boolean; lastPipeline?: unknown } = {},
): Promise<Record<string, unknown>> {
  const entity: Record<string, unknown> = { ...commitEntity(c, project, baseUrl) };
  if (opts.stats !== false) entity.stats = await commitStats(project.repoDir, c);
  const pipeline = (opts.lastPipeline ?? null) as { status?: string } | null;
  entity.status = pipeline?.status ?? null;
  entity.project_id = project.id;
  entity.last_pipeline = pipeline;
  return entity;
}
