/**
 * `pnpm bench cherry-pick [--link loopback|lan|wan] [--sizes 20000,200000] [--runs 3] [--trace]`: the D3
 * conflict path end to end (read, merge, resolve with a resolver, push) with `resolveConflict`
 * over the sparse GitLab store, against native git doing the same job in the same run, two ways:
 * `native-shallow` (shallow clone of release, fetch the pick, cherry-pick, resolve by writing the
 * file, commit, push) and `native-best` (blobless partial clone without checkout, cone-mode sparse
 * checkout of the hotfix's directories with the sparse index, then the same). Every contestant
 * goes through one byte-counting proxy over the modelled link (link.ts) in front of the
 * simulator; every result is checked with native git on the server (same tree, parent =
 * release) before the next run. Clones are kept until the end of the bench (deleting 20k–200k
 * files slows the file creation of the next run on this machine's filesystem).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitLabSim } from '@hotfix-release/gitlab-sim';
import { createGitLabClient, resolveConflict } from '@hotfix-release/sdk';
import {
  type CountingProxy,
  generateWorld,
  git,
  SECOND,
  startCountingProxy,
  TARGET,
  targetText,
  type World,
} from './cherry-pick-world.js';
import { linkProfile } from './link.js';
import type { Benchmark } from './registry.js';

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
  readonly tree: string;
  /** Native only: where the time went (clone [+ sparse checkout], fetch of the pick, cherry-pick + resolve + commit, push). */
  readonly phases?: Record<string, number>;
}

/** What the counting proxy saw of one contestant's run. */
function traffic(proxy: CountingProxy): Pick<Sample, 'up' | 'down' | 'requests' | 'rounds' | 'connections'> {
  const { up, down, requests, rounds, connections } = proxy.counters;
  return { up, down, requests, rounds, connections };
}

const committer = { name: 'Bench', email: 'bench@example.com', date: '2026-11-30T00:00:00Z' };

async function ours(world: World, proxy: CountingProxy, token: string): Promise<Sample> {
  const client = createGitLabClient({ gitlabUrl: proxy.url, token })._unsafeUnwrap();
  proxy.reset();
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
    ...traffic(proxy),
    objectsFetched: s.objectsFetched,
    objectsSent: s.objectsSent,
    tree: r.value.tree,
  };
}

type NativeWay = 'native-shallow' | 'native-best';

/** The clones made so far: kept until the end of the bench, removed in one go then. */
const keep: string[] = [];

async function native(world: World, proxy: CountingProxy, token: string, way: NativeWay): Promise<Sample> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${way}-`));
  keep.push(dir);
  const url = `${proxy.url.replace('//', `//oauth2:${token}@`)}/${world.project}.git`;
  const env = {
    GIT_AUTHOR_NAME: committer.name,
    GIT_AUTHOR_EMAIL: committer.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
  proxy.reset();
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
    ...traffic(proxy),
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

function printTrace(proxy: CountingProxy): void {
  for (const l of proxy.log)
    console.error(
      `    ${l.start.toFixed(0).padStart(5)} +${(l.end - l.start).toFixed(0).padStart(4)} ms  depth ${l.depth}  ${l.method} ${l.path}${l.query ? `?${l.query}` : ''}`,
    );
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const kib = (b: number) => Math.round(b / 102.4) / 10;

const CONTESTANTS = ['ours', 'native-shallow', 'native-best'] as const;
type Contestant = (typeof CONTESTANTS)[number];
const LABEL: Record<Contestant, string> = {
  ours: 'resolveConflict (sparse)',
  'native-shallow': 'git shallow clone',
  'native-best': 'git blobless + sparse',
};

async function runOne(world: World, proxy: CountingProxy, token: string, who: Contestant): Promise<Sample> {
  const s = who === 'ours' ? await ours(world, proxy, token) : await native(world, proxy, token, who);
  await checkAndReset(world, s, who);
  return s;
}

function rowsFor(world: World, link: string, samples: Record<Contestant, Sample[]>): Record<string, unknown>[] {
  const med = (who: Contestant) => median(samples[who].map((x) => x.ms));
  const best = Math.min(med('native-shallow'), med('native-best'));
  return CONTESTANTS.map((who) => {
    const list = samples[who];
    const last = list[list.length - 1]!;
    return {
      link,
      files: world.files,
      contestant: who,
      what: LABEL[who],
      'median ms': Math.round(med(who)),
      'runs ms': list.map((x) => Math.round(x.ms)).join(' '),
      'vs best native': Math.round((med(who) / best) * 100) / 100,
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
    // --trace: after each measured run of ours, print its requests (start and duration ms, chain depth) to stderr.
    const trace = args.includes('--trace');
    const loadBefore = loadavg();
    const sim = await startGitLabSim({ scenario: 'empty' });
    const proxy = await startCountingProxy(sim.url, link);
    const rows: Record<string, unknown>[] = [];
    const detail: Record<string, unknown>[] = [];
    try {
      for (const n of sizes) {
        const world = await generateWorld(sim, n);
        console.error(
          `generated ${world.files} files in ${Math.round(world.generationMs)} ms (pack ${kib(world.packBytes)} KiB), link ${link.name}`,
        );
        const samples: Record<Contestant, Sample[]> = { ours: [], 'native-shallow': [], 'native-best': [] };
        // One unmeasured round each (JIT, page cache), then the contestants in turn.
        for (let i = warmup ? 0 : 1; i <= runs; i++) {
          const round: Partial<Record<Contestant, Sample>> = {};
          for (const who of CONTESTANTS) {
            round[who] = await runOne(world, proxy, sim.token, who);
            if (trace && who === 'ours' && i > 0) printTrace(proxy);
          }
          const trees = new Set(CONTESTANTS.map((who) => round[who]?.tree));
          if (trees.size !== 1) throw new Error(`trees differ: ${[...trees].join(' vs ')}`);
          if (i > 0) for (const who of CONTESTANTS) samples[who].push(round[who] as Sample);
          console.error(
            `  ${n} files run ${i}${i === 0 ? ' (warm-up)' : ''}: ${CONTESTANTS.map((w) => `${w} ${Math.round(round[w]?.ms ?? 0)} ms`).join(', ')}`,
          );
        }
        rows.push(...rowsFor(world, link.name, samples));
        detail.push({
          files: world.files,
          generationMs: Math.round(world.generationMs),
          packBytes: world.packBytes,
          samples,
        });
      }
    } finally {
      await proxy.close();
      await sim.close();
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
