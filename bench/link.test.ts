import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy } from './cherry-pick-world.js';
import { LINKS, type LinkProfile, linkProfile, ModelledLink, RoundTripDepth, transferMs } from './link.js';

describe('the modelled link', () => {
  it('knows loopback, lan and wan, and refuses other names', () => {
    expect(linkProfile('wan')).toMatchObject({ rttMs: 50, bitsPerSecond: 100e6 });
    expect(linkProfile('lan')).toMatchObject({ rttMs: 2, bitsPerSecond: 1e9 });
    expect(transferMs(LINKS.loopback as LinkProfile, 10_000_000)).toBe(0);
    expect(() => linkProfile('moon')).toThrow(/known: loopback, lan, wan/);
  });

  it('serialises bytes at the bandwidth on a shared link, then adds half a round trip', () => {
    const wan = new ModelledLink(linkProfile('wan'));
    // 1 MB at 100 Mbit/s = 80 ms, plus 25 ms (half of 50 ms).
    expect(wan.deliverAt('down', 0, 1_000_000)).toBeCloseTo(105, 6);
    // A second transfer ready at the same time queues behind the first.
    expect(wan.deliverAt('down', 0, 1_000_000)).toBeCloseTo(185, 6);
    // The other direction is independent.
    expect(wan.deliverAt('up', 0, 0)).toBe(25);
  });

  it('counts sequential round trips, not overlapping ones', () => {
    const d = new RoundTripDepth();
    const a = d.start(0);
    const b = d.start(1); // overlaps a
    d.end(10, a);
    d.end(11, b);
    const c = d.start(12); // after both: depends on them
    d.end(20, c);
    expect([a, b, c, d.depth]).toEqual([1, 1, 2, 2]);
  });
});

describe('the counting proxy over a modelled link', () => {
  const body = Buffer.alloc(250_000, 7);
  let server: ReturnType<typeof createServer>;
  let origin: string;
  beforeAll(async () => {
    // `/think…` answers after 60 ms of server time; everything else at once.
    server = createServer((req, res) =>
      req.url?.startsWith('/think') ? setTimeout(() => res.end('ok'), 60) : res.end(body),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes bodies through unchanged and counts bytes, requests, connections and round trips', async () => {
    const proxy = await startCountingProxy(origin, linkProfile('lan'));
    try {
      const first = Buffer.from(await (await fetch(`${proxy.url}/a`)).arrayBuffer());
      expect(first.equals(body)).toBe(true);
      await fetch(`${proxy.url}/b`).then((r) => r.arrayBuffer());
      await Promise.all([1, 2, 3].map((i) => fetch(`${proxy.url}/c${i}`).then((r) => r.arrayBuffer())));
      expect(proxy.counters).toMatchObject({ requests: 5, down: 5 * body.length, up: 0, rounds: 3 });
      expect(proxy.counters.connections).toBeGreaterThanOrEqual(1);
      await proxy.reset();
      expect(proxy.counters).toMatchObject({ requests: 0, down: 0, rounds: 0, connections: 0 });
      // Right after a reset, this process's fetch finds no connection the proxy had just closed.
      for (let i = 0; i < 3; i++) {
        await fetch(`${proxy.url}/again${i}`).then((r) => r.arrayBuffer());
        await proxy.reset();
      }
    } finally {
      await proxy.close();
    }
  });

  it("logs each request's server time apart from the link's delays", async () => {
    const proxy = await startCountingProxy(origin, linkProfile('wan'));
    try {
      const t0 = performance.now();
      expect(await (await fetch(`${proxy.url}/think`, { method: 'POST', body: 'x'.repeat(1000) })).text()).toBe('ok');
      const total = performance.now() - t0;
      const [entry] = proxy.log;
      expect(entry).toMatchObject({ method: 'POST', path: '/think' });
      // 60 ms of the server's own time, measured without the 50 ms round trip (and the new connection's).
      expect(entry?.serverMs).toBeGreaterThanOrEqual(58);
      expect(entry?.serverMs).toBeLessThan(total - 2 * 50 + 5);
    } finally {
      await proxy.close();
    }
  });

  it('makes every request pay at least the round trip and the transfer time (lower bounds only)', async () => {
    const slow: LinkProfile = { name: 'slow', rttMs: 40, bitsPerSecond: 20e6 };
    const proxy = await startCountingProxy(origin, slow);
    try {
      const t0 = performance.now();
      await fetch(`${proxy.url}/a`).then((r) => r.arrayBuffer());
      // New connection (one RTT) + request RTT + 250 kB at 20 Mbit/s (100 ms).
      expect(performance.now() - t0).toBeGreaterThanOrEqual(40 + 40 + 100 - 2);
      const t1 = performance.now();
      await Promise.all([1, 2].map((i) => fetch(`${proxy.url}/p${i}`).then((r) => r.arrayBuffer())));
      // Two transfers share the link: at least 200 ms of serialisation behind one RTT.
      expect(performance.now() - t1).toBeGreaterThanOrEqual(40 + 200 - 2);
    } finally {
      await proxy.close();
    }
  });
});
