/**
 * The server side of `pnpm bench cherry-pick`, in a process of its own: the GitLab simulator, the
 * generated worlds and the counting proxy over the modelled link. The contestants run in the bench's
 * process (ours) or in git's (native), so the server's work (its git processes, JSON, the proxy's
 * buffers and their garbage) never runs on the event loop of the client being measured, as with a
 * real GitLab on another host. Driven over IPC by `startServerProcess`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitLabSim } from '@hotfix-release/gitlab-sim';
import { type CountingProxy, generateWorld, startCountingProxy, type World } from './cherry-pick-world.js';
import { linkProfile } from './link.js';

/** What the proxy saw since its last reset. */
export type Traffic = Pick<CountingProxy, 'counters' | 'log'>;

/** The bench's handle on the server process. */
export interface ServerProcess {
  /** The proxy's URL: every contestant talks to the simulator through it. */
  readonly url: string;
  readonly token: string;
  world(files: number): Promise<World>;
  /** Zeroes the proxy's counters and closes its idle connections (see `CountingProxy.reset`). */
  reset(): Promise<void>;
  traffic(): Promise<Traffic>;
  close(): Promise<void>;
}

type Op = { op: 'world'; files: number } | { op: 'reset' | 'traffic' | 'close' };
type Request = Op & { id: number };
type Reply = { id: number; value?: unknown; error?: string };

/** Forks this file as the server process for the given link and waits until it serves. */
export async function startServerProcess(link: string): Promise<ServerProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', link], {
    // TypeScript through tsx, and the workspace's packages from source, whoever started the bench.
    execArgv: ['--import', 'tsx', '--conditions=@hotfix-release/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`the bench's server process exited (${code}) before serving`)));
  });
  const { url, token } = await ready;
  child.on('message', (m) => {
    const r = m as Reply;
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (r.error !== undefined) p?.reject(new Error(r.error));
    else p?.resolve(r.value);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the bench's server process exited (${code})`));
    pending.clear();
  });
  const call = <T>(req: Op): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  return {
    url,
    token,
    world: (files) => call<World>({ op: 'world', files }),
    reset: () => call<void>({ op: 'reset' }),
    traffic: () => call<Traffic>({ op: 'traffic' }),
    close: async () => {
      await call<void>({ op: 'close' }).catch(() => undefined);
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

async function serve(linkName: string): Promise<void> {
  const send = (m: unknown) => process.send?.(m);
  const sim = await startGitLabSim({ scenario: 'empty' });
  const proxy = await startCountingProxy(sim.url, linkProfile(linkName));
  process.on('message', async (m) => {
    const req = m as Request;
    try {
      if (req.op === 'world') send({ id: req.id, value: await generateWorld(sim, req.files) });
      else if (req.op === 'reset') send({ id: req.id, value: await proxy.reset() });
      else if (req.op === 'traffic') send({ id: req.id, value: { counters: proxy.counters, log: proxy.log } });
      else {
        await proxy.close();
        await sim.close();
        send({ id: req.id });
        process.disconnect();
      }
    } catch (e) {
      send({ id: req.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  send({ url: proxy.url, token: sim.token });
}

if (process.argv[2] === '--serve') await serve(process.argv[3] ?? 'loopback');
