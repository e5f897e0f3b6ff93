/**
 * The world of `pnpm bench cherry-pick`: a simulator project whose bare repository gets a
 * generated tree of N files through one `git fast-import` run (main: the initial tree and the
 * hotfix; release: the initial tree plus a change to the same lines), and a byte-counting HTTP
 * proxy in front of the simulator, over a modelled link (link.ts), so every contestant is
 * measured on the same wire.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type ClientRequest, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GitLabSim } from '@hotfix-release/gitlab-sim';
import { LINKS, type LinkProfile, ModelledLink, RoundTripDepth } from './link.js';

export const TARGET = 'pkg000/mod00/tariff.ts';
export const SECOND = 'pkg000/mod01/tariff.test.ts';

/** Runs git asynchronously (the simulator serves from this process: never block it). */
export function git(
  cwd: string,
  args: readonly string[],
  opts: { input?: (stdin: NodeJS.WritableStream) => Promise<void>; env?: NodeJS.ProcessEnv; ok?: number[] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => err.push(d));
    c.on('error', reject);
    c.on('close', (code) => {
      const r = {
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString(),
      };
      if (!(opts.ok ?? [0]).includes(r.code)) reject(new Error(`git ${args.join(' ')} → ${r.code}: ${r.stderr}`));
      else resolve(r);
    });
    if (opts.input) opts.input(c.stdin).then(() => c.stdin.end(), reject);
    else c.stdin.end();
  });
}

function fileText(path: string, i: number): string {
  const lines = [`// ${path}`, `export const id${i} = ${i};`];
  for (let k = 0; k < 8; k++) lines.push(`export const v${k} = ${(i * 7919 + k * 104729) % 1000003}; // line ${k}`);
  return `${lines.join('\n')}\n`;
}

/** The target file on each side, and the resolution both contestants write. */
export function targetText(side: 'base' | 'ours' | 'theirs' | 'resolved'): string {
  const rows = Array.from({ length: 30 }, (_, i) => `tariff line ${i + 1}`);
  if (side === 'ours' || side === 'resolved') rows[4] = 'const base = rates.offPeak;';
  if (side === 'theirs') rows[4] = 'const base = rates.peak;';
  if (side === 'theirs' || side === 'resolved') rows[5] = 'const night = rates.night * 0.8;';
  return `${rows.join('\n')}\n`;
}

/** Paths of an N-file tree: pkgNNN/modMM/fileNNNN.ts, 100 files per directory, 20 directories per package. */
function* paths(n: number): Generator<string> {
  for (let i = 0; i < n; i++) {
    const leaf = Math.floor(i / 100);
    const pkg = String(Math.floor(leaf / 20)).padStart(3, '0');
    const mod = String(leaf % 20).padStart(2, '0');
    yield `pkg${pkg}/mod${mod}/file${String(i % 100).padStart(4, '0')}.ts`;
  }
}

/** What a generated repository holds. */
export interface World {
  readonly project: string;
  readonly repoDir: string;
  readonly files: number;
  readonly releaseHead: string;
  readonly pick: string;
  readonly generationMs: number;
  readonly packBytes: number;
}

/** Creates `bench/repo-<n>` in the simulator and fills its bare repository with fast-import. */
export async function generateWorld(sim: GitLabSim, n: number): Promise<World> {
  const started = performance.now();
  const res = await fetch(`${sim.apiUrl}/projects`, {
    method: 'POST',
    headers: { 'private-token': sim.token, 'content-type': 'application/json' },
    body: JSON.stringify({ path: `repo-${n}` }),
  });
  const created = (await res.json()) as { path_with_namespace: string };
  const project = created.path_with_namespace;
  const repoDir = sim.state.findProject(project)!.repoDir;
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const who = (name: string, t: number, tz = '+0000') => `${name} <${name.toLowerCase()}@example.com> ${t} ${tz}\n`;
  await git(repoDir, ['fast-import', '--quiet', '--done'], {
    input: async (stdin) => {
      const write = async (s: string) => {
        if (!stdin.write(s)) await once(stdin, 'drain');
      };
      let mark = 0;
      const chunk: string[] = [];
      for (const p of paths(n)) {
        mark++;
        chunk.push(`blob\nmark :${mark}\n${data(fileText(p, mark))}`);
        if (chunk.length === 2000) await write(chunk.splice(0).join(''));
      }
      await write(chunk.join(''));
      await write(
        `commit refs/heads/main\nmark :1000001\ncommitter ${who('Gen', 1_700_000_000)}${data('Initial tree\n')}`,
      );
      let m = 0;
      for (const p of paths(n)) await write(`M 100644 :${++m} ${p}\n`);
      await write(`M 100644 inline ${TARGET}\n${data(targetText('base'))}`);
      await write(`M 100644 inline ${SECOND}\n${data('export const cases = [];\n')}\n`);
      await write(
        `commit refs/heads/release\ncommitter ${who('Gen', 1_700_000_100)}${data('Release: off-peak base\n')}`,
      );
      await write(`from :1000001\nM 100644 inline ${TARGET}\n${data(targetText('ours'))}\n`);
      await write(`commit refs/heads/main\nauthor ${who('Alice', 1_700_000_200, '+0100')}`);
      await write(`committer ${who('Alice', 1_700_000_200, '+0100')}${data('Apply the night discount\n')}`);
      await write(`from :1000001\nM 100644 inline ${TARGET}\n${data(targetText('theirs'))}`);
      await write(`M 100644 inline ${SECOND}\n${data('export const cases = [[22, 0.8]];\n')}\ndone\n`);
    },
  });
  await git(repoDir, ['repack', '-a', '-d', '-q']);
  const releaseHead = (await git(repoDir, ['rev-parse', 'refs/heads/release'])).stdout.trim();
  const pick = (await git(repoDir, ['rev-parse', 'refs/heads/main'])).stdout.trim();
  const sizes = (await git(repoDir, ['count-objects', '-v'])).stdout;
  const packBytes = Number(/size-pack: (\d+)/.exec(sizes)?.[1] ?? 0) * 1024;
  return { project, repoDir, files: n + 2, releaseHead, pick, generationMs: performance.now() - started, packBytes };
}

/** A reverse proxy that counts the bytes of every request and response body, over a modelled link. */
export interface CountingProxy {
  readonly url: string;
  readonly link: LinkProfile;
  /**
   * Body bytes each way, requests, new connections, and `rounds`: the longest chain of requests
   * each started after the previous one's answer had arrived (sequential round trips).
   */
  readonly counters: { up: number; down: number; requests: number; connections: number; rounds: number };
  /**
   * Every request since the last reset: ms since then, method, path and query, its depth in the chain, and
   * `serverMs`: the server's own time for it (from the whole request reaching it to its answer starting).
   */
  readonly log: {
    start: number;
    end: number;
    method: string;
    path: string;
    query: string;
    depth: number;
    serverMs: number;
  }[];
  /**
   * Zeroes the counters and closes idle connections, so the next contestant starts cold; resolves once the
   * clients in this process have seen those connections close (so none sends on one just closed).
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Runs actions at given times, in order (one per request direction). */
class Timeline {
  private tail: Promise<void> = Promise.resolve();
  at(when: number, action: () => void): void {
    this.tail = this.tail.then(async () => {
      const wait = when - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      action();
    });
  }
}

/** Starts a counting proxy to `target` on 127.0.0.1, adding the `link`'s delays (see link.ts). */
export async function startCountingProxy(target: string, link: LinkProfile = LINKS.loopback!): Promise<CountingProxy> {
  const to = new URL(target);
  const counters = { up: 0, down: 0, requests: 0, connections: 0, rounds: 0 };
  let wire = new ModelledLink(link);
  let chain = new RoundTripDepth();
  const known = new WeakSet<Socket>();
  const log: CountingProxy['log'] = [];
  let zero = performance.now();
  const server: Server = createServer((req, res) => {
    counters.requests++;
    const sent = performance.now();
    const depth = chain.start(sent);
    const fresh = !known.has(req.socket);
    if (fresh) {
      known.add(req.socket);
      counters.connections++;
    }
    const toServer = new Timeline();
    const toClient = new Timeline();
    let up: ClientRequest | undefined;
    let delivered = 0;
    let answered = 0;
    toServer.at(wire.deliverAt('up', sent + (fresh ? link.rttMs : 0), 0), () => {
      up = httpRequest(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: to.host },
        },
        (answer) => {
          answered = performance.now();
          toClient.at(wire.deliverAt('down', performance.now(), 0), () =>
            res.writeHead(answer.statusCode ?? 502, answer.headers),
          );
          answer.on('data', (d: Buffer) => {
            counters.down += d.length;
            toClient.at(wire.deliverAt('down', performance.now(), d.length), () => res.write(d));
          });
          answer.on('end', () =>
            toClient.at(performance.now(), () => {
              res.end();
              chain.end(performance.now(), depth);
              const [path = '', query = ''] = (req.url ?? '').split('?');
              log.push({
                start: sent - zero,
                end: performance.now() - zero,
                method: req.method ?? '',
                path,
                query,
                depth,
                serverMs: Math.max(0, answered - delivered),
              });
              counters.rounds = chain.depth;
            }),
          );
        },
      );
      up.on('error', () => res.destroy());
    });
    req.on('data', (d: Buffer) => {
      counters.up += d.length;
      toServer.at(wire.deliverAt('up', performance.now(), d.length), () => up?.write(d));
    });
    req.on('end', () =>
      toServer.at(performance.now(), () => {
        delivered = performance.now();
        up?.end();
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    link,
    counters,
    log,
    reset: async () => {
      server.closeIdleConnections();
      // The closes reach the clients' pools on later turns of the event loop: let them, outside any measurement.
      await new Promise((r) => setTimeout(r, 100));
      log.length = 0;
      zero = performance.now();
      wire = new ModelledLink(link);
      chain = new RoundTripDepth();
      Object.assign(counters, { up: 0, down: 0, requests: 0, connections: 0, rounds: 0 });
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
