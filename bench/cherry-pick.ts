/**
 * `pnpm bench cherry-pick [--sizes 20000,200000] [--runs 3]`: the D3 conflict path end to end
 * (read, merge, resolve with a resolver, push) with `resolveConflict` over the sparse GitLab
 * store, against native git doing the same job in the same run (shallow clone of release, fetch
 * the pick, cherry-pick, resolve by writing the file, commit, push), on generated repositories.
 * Both go through one byte-counting proxy in front of the simulator; both results are checked
 * with native git on the server (same tree, parent = release) before the next run.
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
  startCountingProxy,
  TARGET,
  targetText,
  type World,
} from './cherry-pick-world.js';
import type { Benchmark } from './registry.js';

interface Sample {
  readonly ms: number;
  readonly up: number;
  readonly down: number;
  readonly requests: number;
  readonly objectsFetched: number;
  readonly objectsSent: number;
  readonly tree: string;
  /** Native only: where the time went (clone, fetch of the pick, cherry-pick + resolve + commit, push). */
  readonly phases?: Record<string, number>;
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
    resolver: (c) => (c.path === TARGET ? targetText('resolved') : null),
  });
  const ms = performance.now() - t0;
  if (r.isErr()) throw new Error(`resolveConflict: ${r.error.code}: ${r.error.message}`);
  if (r.value.kind !== 'resolved') throw new Error(`resolveConflict: ${r.value.kind}`);
  const { up, down, requests } = proxy.counters;
  const s = r.value.stats;
  return { ms, up, down, requests, objectsFetched: s.objectsFetched, objectsSent: s.objectsSent, tree: r.value.tree };
}

async function native(world: World, proxy: CountingProxy, token: string): Promise<Sample> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-native-'));
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
  const clone = await git(dir, ['clone', '--progress', '--depth', '1', '--single-branch', '-b', 'release', url, 'w'], {
    env,
  });
  const w = join(dir, 'w');
  const cloned = mark();
  const fetched = await git(w, ['fetch', '--progress', '--depth', '2', 'origin', world.pick], { env });
  const fetchedAt = mark();
  await git(w, ['cherry-pick', '-x', world.pick], { env, ok: [0, 1] });
  await writeFile(join(w, TARGET), targetText('resolved'));
  await git(w, ['add', TARGET], { env });
  await git(w, ['-c', 'core.editor=true', 'cherry-pick', '--continue'], { env });
  const picked = mark();
  const push = await git(w, ['push', '--progress', 'origin', 'HEAD:refs/heads/release'], { env });
  const ms = performance.now() - t0;
  const tree = (await git(w, ['rev-parse', 'HEAD^{tree}'])).stdout.trim();
  const { up, down, requests } = proxy.counters;
  const count = (text: string, what: string) => Number(new RegExp(`${what}: 100% \\((\\d+)/`).exec(text)?.[1] ?? 0);
  await rm(dir, { recursive: true, force: true });
  return {
    ms,
    up,
    down,
    requests,
    objectsFetched: count(clone.stderr, 'Receiving objects') + count(fetched.stderr, 'Receiving objects'),
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

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const kib = (b: number) => Math.round(b / 102.4) / 10;

export const cherryPickBenchmark: Benchmark = {
  description: 'D3 conflict path (read, merge, resolve, push): resolveConflict vs native git, 20k and 200k files',
  async run(args) {
    const opt = (name: string, dflt: string) => {
      const i = args.indexOf(`--${name}`);
      return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
    };
    const sizes = opt('sizes', '20000,200000').split(',').map(Number);
    const runs = Number(opt('runs', '3'));
    const warmup = opt('warmup', '1') !== '0';
    const loadBefore = loadavg();
    const sim = await startGitLabSim({ scenario: 'empty' });
    const proxy = await startCountingProxy(sim.url);
    const rows: Record<string, unknown>[] = [];
    const detail: Record<string, unknown>[] = [];
    try {
      for (const n of sizes) {
        const world = await generateWorld(sim, n);
        console.error(
          `generated ${world.files} files in ${Math.round(world.generationMs)} ms (pack ${kib(world.packBytes)} KiB)`,
        );
        const samples = { ours: [] as Sample[], native: [] as Sample[] };
        // One unmeasured round each (JIT, page cache), then alternate.
        for (let i = warmup ? 0 : 1; i <= runs; i++) {
          const a = await ours(world, proxy, sim.token);
          await checkAndReset(world, a, 'resolveConflict');
          const b = await native(world, proxy, sim.token);
          await checkAndReset(world, b, 'native git');
          if (a.tree !== b.tree) throw new Error(`trees differ: ${a.tree} vs ${b.tree}`);
          if (i > 0) {
            samples.ours.push(a);
            samples.native.push(b);
          }
          console.error(
            `  ${n} files run ${i}${i === 0 ? ' (warm-up)' : ''}: ours ${Math.round(a.ms)} ms, native ${Math.round(b.ms)} ms`,
          );
        }
        for (const [who, list] of Object.entries(samples)) {
          const last = list[list.length - 1]!;
          rows.push({
            files: world.files,
            contestant: who === 'ours' ? 'resolveConflict (sparse)' : 'native git (shallow)',
            'median ms': Math.round(median(list.map((x) => x.ms))),
            'KiB down': kib(last.down),
            'KiB up': kib(last.up),
            requests: last.requests,
            'objects fetched': last.objectsFetched,
            'objects sent': last.objectsSent,
          });
          detail.push({ files: world.files, contestant: who, samples: list });
        }
        const speedup = median(samples.native.map((x) => x.ms)) / median(samples.ours.map((x) => x.ms));
        rows.push({ files: world.files, contestant: `ratio native/ours = ${speedup.toFixed(1)}x` });
        rows.push({ files: world.files, contestant: `generated in ${Math.round(world.generationMs)} ms` });
        detail.push({
          files: world.files,
          generationMs: Math.round(world.generationMs),
          packBytes: world.packBytes,
          speedup,
        });
      }
    } finally {
      await proxy.close();
      await sim.close();
    }
    return { rows, detail, runs, sizes, cpus: cpus().length, loadavgBefore: loadBefore, loadavgAfter: loadavg() };
  },
};
