import { runGit } from './git.js';
import type { FileChange, Signature } from './repo.js';

function ident(who: Signature): string {
  if (/[<>\n]/.test(who.name) || /[<>\n]/.test(who.email))
    throw new Error(`invalid identity ${who.name} <${who.email}>`);
  const seconds = Math.floor((who.date ? Date.parse(who.date) : Date.now()) / 1000);
  return `${who.name} <${who.email}> ${seconds} +0000`;
}

/**
 * Writes one commit and moves `refs/heads/<branch>` in a single `git fast-import` run: one
 * process instead of one per blob, which keeps scenario seeding fast. The parent must be the
 * branch's current head (or, for a new branch, any commit): fast-import refuses anything that
 * is not a fast-forward. Returns the new commit SHA.
 */
export async function fastCommit(
  repoDir: string,
  opts: {
    readonly branch: string;
    readonly parent: string | null;
    readonly changes: readonly FileChange[];
    readonly message: string;
    readonly author: Signature;
    readonly committer?: Signature;
  },
): Promise<string> {
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s, 'utf8'));
  const data = (content: string | Buffer) => {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    text(`data ${buf.length}\n`);
    parts.push(buf);
    text('\n');
  };
  text(`commit refs/heads/${opts.branch}\nmark :1\n`);
  text(`author ${ident(opts.author)}\ncommitter ${ident(opts.committer ?? opts.author)}\n`);
  data(opts.message);
  if (opts.parent) text(`from ${opts.parent}\n`);
  for (const change of opts.changes) {
    if (/[\n"]/.test(change.path) || change.path.startsWith('/')) throw new Error(`unsupported path ${change.path}`);
    if (change.content === null) {
      text(`D ${change.path}\n`);
    } else {
      text(`M ${change.mode ?? '100644'} inline ${change.path}\n`);
      data(change.content);
    }
  }
  text('get-mark :1\ndone\n');
  const run = await runGit(['fast-import', '--quiet', '--done'], { cwd: repoDir, input: Buffer.concat(parts) });
  if (run.code !== 0) throw new Error(`git fast-import failed: ${run.stderr.trim()}`);
  return run.stdout.toString('utf8').trim();
}
