import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pushEnv } from './_internal/repo.js';
import { ACCESS, type SimProject, type SimState } from './state.js';

/** Splits `/group/project.git/info/refs` into the project path and the git sub-path. */
export function parseGitPath(pathname: string): { projectPath: string; gitPath: string } | undefined {
  const m = /^\/(.+?)\.git(\/.*)$/.exec(pathname);
  if (!m) return undefined;
  try {
    return { projectPath: decodeURIComponent(m[1] as string), gitPath: m[2] as string };
  } catch {
    return undefined;
  }
}

function challenge(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="GitLab"' });
  res.end(text);
}

/**
 * Serves git smart HTTP for one request through `git http-backend`, after GitLab-like
 * authentication: HTTP Basic with any username and a personal access token as password,
 * or `gitlab-ci-token` with a job token. Pushes get the pusher's access level so the
 * repository's pre-receive hook can enforce protected branches.
 */
export async function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  ctx: {
    state: SimState;
    root: string;
    projectPath: string;
    gitPath: string;
    query: string;
    /** Cut the connection instead of answering, after git has acted (the `drop-after` fault). */
    dropAnswer?: boolean;
  },
): Promise<number> {
  const auth = req.headers.authorization;
  let userId: number | undefined;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const username = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    const password = decoded.slice(decoded.indexOf(':') + 1);
    const found = ctx.state.userForToken(password);
    // GitLab takes a job token over git only with the user name gitlab-ci-token.
    userId = found && (found.token.kind !== 'job' || username === 'gitlab-ci-token') ? found.user.id : undefined;
    if (userId === undefined) {
      challenge(res, 401, 'HTTP Basic: Access denied.\n');
      return 401;
    }
  }
  const project: SimProject | undefined = ctx.state.findProject(ctx.projectPath);
  if (userId === undefined) {
    challenge(res, 401, 'HTTP Basic: Access denied.\n');
    return 401;
  }
  const level = project ? ctx.state.accessLevel(project, userId) : 0;
  if (!project || level < ACCESS.reporter) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end("The project you were looking for could not be found or you don't have permission to view it.\n");
    return 404;
  }
  const isPush = ctx.gitPath.endsWith('/git-receive-pack') || /service=git-receive-pack/.test(ctx.query);
  if (isPush && level < ACCESS.developer) {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('You are not allowed to push code to this project.\n');
    return 403;
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GIT_PROJECT_ROOT: join(ctx.root, 'repos'),
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: `/${project.path}.git${ctx.gitPath}`,
    QUERY_STRING: ctx.query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_USER: String(userId),
    REMOTE_ADDR: '127.0.0.1',
    GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    ...pushEnv(project, level),
  };
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', () => {
      // http-backend reports errors through its CGI status; stderr is noise here.
    });
    child.stdin.on('error', () => {});
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      const sep = out.indexOf('\r\n\r\n');
      const headerEnd = sep >= 0 ? sep : out.indexOf('\n\n');
      const headerText = out.subarray(0, headerEnd).toString('latin1');
      const payload = out.subarray(headerEnd + (sep >= 0 ? 4 : 2));
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10) || 200;
        else headers[k] = v;
      }
      if (ctx.dropAnswer) res.socket?.destroy();
      else {
        res.writeHead(status, headers);
        res.end(payload);
      }
      resolve(status);
    });
    child.stdin.end(body);
  });
}
