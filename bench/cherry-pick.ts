/**
 * `pnpm bench cherry-pick [--link loopback|lan|wan] [--sizes 20000,200000] [--runs 3] [--trace]
 * [--contestants ours,native-shallow,native-best]`: the D3 conflict path end to end (read, merge,
 * resolve with a resolver, push) with `resolveConflict` over the sparse GitLab store, against native
 * git doing the same job in the same run, two ways: `native-shallow` (shallow clone of release, fetch
 * the pick, cherry-pick, resolve by writing the file, commit, push) and `native-best` (blobless partial
 * clone without checkout, cone-mode sparse checkout of the hotfix's directories with the sparse index,
 * then the same). Every contestant goes through one byte-counting proxy over the modelled link
 * (link.ts) in front of the simulator, both in a server process of their own (server-process.ts);
 * every result is checked with native git on the server (same tree, parent = release) before the
 * next run. Contestants run in blocks (RUN_ORDER), the file system synced before each run, and clones
 * are kept until the end of the bench (deleting 20k–200k files slows the file creation of the next
 * run on this machine's filesystem).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitLabClient, resolveConflict } from '@hotfix-release/sdk';
import { git, SECOND, TARGET, targetText, type World } from './cherry-pick-world.js';
import { linkProfile } from './link.js';
import type { Benchmark } from './registry.js';
import { type ServerProcess, startServerProcess, type Traffic } from './server-process.js';

interface Sample {
  readonly ms: number;
  readonly up: number;
  readonly down: number;
  readonly requests: number;
  /** Sequential round trips: the longest chain of requests each waiting for the previous answer. */
  readonly rounds: number;
  readonly connections: number;
  readonly objectsFetched: number;
  readonly objectsSent: number;
  /** The server's own time answering the push (receive-pack: unpack, connectivity check, hooks, ref update). */
  readonly pushServerMs: number;
  readonly tree: string;
  /** Native only: where the time went (clone [+ sparse checkout], fetch of the pick, cherry-pick + resolve + commit, push). */
  readonly phases?: Record<string, number>;
}

/** What the counting proxy saw of one contestant's run. */
function traffic(proxy: Traffic): Pick<Sample, 'up' | 'down' | 'requests' | 'rounds' | 'connections' | 'pushServerMs'> {
  const { up, down, requests, rounds, connections } = proxy.counters;
  const pushServerMs = proxy.log
    .filter((l) => l.method === 'POST' && l.path.endsWith('/git-receive-pack'))
    .reduce((ms, l) => ms + l.serverMs, 0);
  return { up, down, requests, rounds, connections, pushServerMs };
}

const committer = { name: 'Bench', email: 'bench@example.com', date: '2026-11-30T00:00:00Z' };

async function ours(world: World, server: ServerProcess): Promise<Sample> {
  const token = server.token;
  const client = createGitLabClient({ gitlabUrl: server.url, token })._unsafeUnwrap();
  await server.reset();
  const t0 = performance.now();
  const r = await resolveConflict(client, {
    project: world.project,
    commit: world.pick,
    releaseHead: world.releaseHead,
    gitToken: token,
    committer,
    // What a promotion's pick plan already holds (the hotfix's changed paths), as native-best is given its directories.
    known: { changedPaths: [TARGET, SECOND] },
    resolver: (c) => (c.path === TARGET ? targetText('resolved') : null),
  });
  const ms = performance.now() - t0;
  if (r.isErr()) throw new Error(`resolveConflict: ${r.error.code}: ${r.error.message}`);
  if (r.value.kind !== 'resolved') throw new Error(`resolveConflict: ${r.value.kind}`);
  const s = r.value.stats;
  return {
    ms,
    ...traffic(await server.traffic()),
    objectsFetched: s.objectsFetched,
    objectsSent: s.objectsSent,
    tree: r.value.tree,
  };
}

type NativeWay = 'native-shallow' | 'native-best';

/** The clones made so far: kept until the end of the bench, removed in one go then. */
const keep: string[] = [];

async function native(world: World, server: ServerProcess, way: NativeWay): Promise<Sample> {
  const token = server.token;
  const dir = await mkdtemp(join(tmpdir(), `bench-${way}-`));
  keep.push(dir);
  const url = `${server.url.replace('//', `//oauth2:${token}@`)}/${world.project}.git`;
  const env = {
    GIT_AUTHOR_NAME: committer.name,
    GIT_AUTHOR_EMAIL: committer.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
  await server.reset();
  const t0 = performance.now();
  const mark = () => Math.round(performance.now() - t0);
  const w = join(dir, 'w');
  const received: string[] = [];
  if (way === 'native-shallow') {
    const c = await git(dir, ['clone', '--progress', '--depth', '1', '--single-branch', '-b', 'release', url, 'w'], {
      env,
    });
    received.push(c.stderr);
  } else {
    const c = await git(
      dir,
      [
        'clone',
        '--progress',
        '--filter=blob:none',
        '--no-checkout',
        '--depth',
        '2',
        '--single-branch',
        '-b',
        'release',
        url,
        'w',
      ],
      { env },
    );
    received.push(c.stderr);
    await git(w, ['config', 'index.sparse', 'true'], { env });
    // The hotfix's directories: checking them out fetches their blobs (one batch).
    const dirs = [...new Set([TARGET, SECOND].map((p) => p.slice(0, p.lastIndexOf('/'))))];
    const sc = await git(w, ['sparse-checkout', 'set', '--cone', '--sparse-index', ...dirs], { env });
    received.push(sc.stderr);
    const co = await git(w, ['checkout', '--progress', 'release'], { env });
    received.push(co.stderr);
  }
  const cloned = mark();
  const fetched = await git(w, ['fetch', '--progress', '--depth', '2', 'origin', world.pick], { env });
  received.push(fetched.stderr);
  const fetchedAt = mark();
  const pick = await git(w, ['cherry-pick', '-x', world.pick], { env, ok: [0, 1] });
  received.push(pick.stderr);
  await writeFile(join(w, TARGET), targetText('resolved'));
  await git(w, ['add', TARGET], { env });
  await git(w, ['-c', 'core.editor=true', 'cherry-pick', '--continue'], { env });
  const picked = mark();
  const push = await git(w, ['push', '--progress', 'origin', 'HEAD:refs/heads/release'], { env });
  const ms = performance.now() - t0;
  const tree = (await git(w, ['rev-parse', 'HEAD^{tree}'])).stdout.trim();
  const count = (text: string, what: string) =>
    [...text.matchAll(new RegExp(`${what}: 100% \\((\\d+)/`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
  return {
    ms,
    ...traffic(await server.traffic()),
    objectsFetched: received.reduce((n, t) => n + count(t, 'Receiving objects'), 0),
    objectsSent: count(push.stderr, 'Writing objects'),
    tree,
    phases: {
      clone: cloned,
      fetch: fetchedAt - cloned,
      pickResolveCommit: picked - fetchedAt,
      push: Math.round(ms) - picked,
    },
  };
}

/** Checks the pushed result with native git on the server, then puts release back. */
async function checkAndReset(world: World, s: Sample, who: string): Promise<void> {
  const head = (await git(world.repoDir, ['rev-parse', 'refs/heads/release'])).stdout.trim();
  const parent = (await git(world.repoDir, ['rev-parse', `${head}^`])).stdout.trim();
  const tree = (await git(world.repoDir, ['rev-parse', `${head}^{tree}`])).stdout.trim();
  if (parent !== world.releaseHead || tree !== s.tree) throw new Error(`${who}: release is not the resolved pick`);
  await git(world.repoDir, ['update-ref', 'refs/heads/release', world.releaseHead]);
}

async function printTrace(server: ServerProcess): Promise<void> {
  for (const l of (await server.traffic()).log)
    console.error(
      `    ${l.start.toFixed(0).padStart(5)} +${(l.end - l.start).toFixed(0).padStart(4)} ms (server ${l.serverMs.toFixed(0).padStart(3)})  depth ${l.depth}  ${l.method} ${l.path}${l.query ? `?${l.query}` : ''}`,
    );
}

/** `sync`: flushes dirty pages to disk (outside every measurement). */
function settleDisk(): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('sync', [], { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve());
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const kib = (b: number) => Math.round(b / 102.4) / 10;

const CONTESTANTS = ['ours', 'native-shallow', 'native-best'] as const;
type Contestant = (typeof CONTESTANTS)[number];
/**
 * The order the contestants run in: ours writes no files; native-best (the yardstick) few; native-shallow a
 * whole checkout per run, which slows the file writes that follow on this machine, so it runs last.
 */
const RUN_ORDER: readonly Contestant[] = ['ours', 'native-best', 'native-shallow'];
const LABEL: Record<Contestant, string> = {
  ours: 'resolveConflict (sparse)',
  'native-shallow': 'git shallow clone',
  'native-best': 'git blobless + sparse',
};

async function runOne(world: World, server: ServerProcess, who: Contestant): Promise<Sample> {
  // Write back what the previous contestant left dirty (a native clone: 20k–200k files) before the clock
  // starts, so no contestant pays for another's writes.
  await settleDisk();
  const s = who === 'ours' ? await ours(world, server) : await native(world, server, who);
  await checkAndReset(world, s, who);
  return s;
}

function rowsFor(
  world: World,
  link: string,
  who: readonly Contestant[],
  samples: Record<Contestant, Sample[]>,
): Record<string, unknown>[] {
  const med = (c: Contestant) => median(samples[c].map((x) => x.ms));
  const natives = who.filter((c) => c !== 'ours');
  const best = natives.length ? Math.min(...natives.map(med)) : Number.NaN;
  return who.map((who) => {
    const list = samples[who];
    const last = list[list.length - 1]!;
    return {
      link,
      files: world.files,
      contestant: who,
      what: LABEL[who],
      'median ms': Math.round(med(who)),
      'runs ms': list.map((x) => Math.round(x.ms)).join(' '),
      'vs best native': natives.length ? Math.round((med(who) / best) * 100) / 100 : '-',
      'push: server ms': Math.round(median(list.map((x) => x.pushServerMs))),
      'median ms without the server push': Math.round(median(list.map((x) => x.ms - x.pushServerMs))),
      requests: last.requests,
      'sequential round trips': last.rounds,
      connections: last.connections,
      'KiB down': kib(last.down),
      'KiB up': kib(last.up),
      'objects fetched': last.objectsFetched,
      'objects sent': last.objectsSent,
    };
  });
}

export const cherryPickBenchmark: Benchmark = {
  description:
    'D3 conflict path (read, merge, resolve, push): resolveConflict vs native git (shallow; blobless + sparse), over a modelled link',
  async run(args) {
    const opt = (name: string, dflt: string) => {
      const i = args.indexOf(`--${name}`);
      return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
    };
    const sizes = opt('sizes', '20000,200000').split(',').map(Number);
    const runs = Number(opt('runs', '3'));
    const warmup = opt('warmup', '1') !== '0';
    const link = linkProfile(opt('link', 'loopback'));
    // --contestants ours,native-best: a subset, in this order (all three by default).
    const contestants = opt('contestants', CONTESTANTS.join(',')).split(',') as Contestant[];
    const unknown = contestants.filter((c) => !CONTESTANTS.includes(c));
    if (unknown.length || !contestants.length)
      throw new Error(`--contestants: unknown ${unknown.join(', ')} (known: ${CONTESTANTS.join(', ')})`);
    // --trace: after each measured run of ours, print its requests (start and duration ms, chain depth) to stderr.
    const trace = args.includes('--trace');
    const loadBefore = loadavg();
    // The simulator and the proxy run in a process of their own (server-process.ts), as GitLab on another host.
    const server = await startServerProcess(link.name);
    const rows: Record<string, unknown>[] = [];
    const detail: Record<string, unknown>[] = [];
    try {
      const worlds: World[] = [];
      for (const n of sizes) {
        const world = await server.world(n);
        worlds.push(world);
        console.error(
          `generated ${world.files} files in ${Math.round(world.generationMs)} ms (pack ${kib(world.packBytes)} KiB), link ${link.name}`,
        );
      }
      const samples = worlds.map(
        () => ({ ours: [], 'native-shallow': [], 'native-best': [] }) as Record<Contestant, Sample[]>,
      );
      // Contestant by contestant, each size in one block (one unmeasured warm-up for JIT and page cache, then the
      // measured runs), in RUN_ORDER: no contestant runs just after another's mass file writes (see the README).
      // Every run of every contestant must produce the same tree (checked against the first run on each world).
      const expected = new Map<number, string>();
      for (const who of RUN_ORDER.filter((c) => contestants.includes(c))) {
        for (const [k, world] of worlds.entries()) {
          for (let i = warmup ? 0 : 1; i <= runs; i++) {
            const s = await runOne(world, server, who);
            if (!expected.has(k)) expected.set(k, s.tree);
            if (s.tree !== expected.get(k)) throw new Error(`trees differ: ${expected.get(k)} vs ${who}'s ${s.tree}`);
            if (trace && who === 'ours' && i > 0) await printTrace(server);
            if (i > 0) samples[k]?.[who].push(s);
            console.error(
              `  ${world.files} files ${who} run ${i}${i === 0 ? ' (warm-up)' : ''}: ${Math.round(s.ms)} ms`,
            );
          }
        }
      }
      for (const [k, world] of worlds.entries()) {
        const own = samples[k] as Record<Contestant, Sample[]>;
        rows.push(...rowsFor(world, link.name, contestants, own));
        detail.push({
          files: world.files,
          generationMs: Math.round(world.generationMs),
          packBytes: world.packBytes,
          samples: own,
        });
      }
    } finally {
      await server.close();
      await Promise.all(keep.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    }
    return {
      rows,
      variant: link.name,
      detail,
      link,
      runs,
      sizes,
      cpus: cpus().length,
      loadavgBefore: loadBefore,
      loadavgAfter: loadavg(),
    };
  },
};
