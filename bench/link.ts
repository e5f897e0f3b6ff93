/**
 * The modelled network link of the counting proxy (`--link loopback|lan|wan`).
 *
 * Model (applied to every contestant alike, since all of their HTTP goes through the proxy):
 * - a request reaches the server half a round trip after the client sent it, and its answer
 *   reaches the client half a round trip after the server wrote it: every request costs one RTT;
 * - a new TCP connection costs one more RTT before its first request (the handshake; TLS is
 *   not modelled), so a client that keeps connections alive pays it once per connection;
 * - body bytes are serialised at the link's bandwidth, separately per direction, and the link
 *   is shared: concurrent transfers queue behind each other (a request of B bytes costs at least
 *   B × 8 / bandwidth seconds on top of the RTT);
 * - headers, TCP slow start, loss and server think time are not modelled (the server's real
 *   time on this machine is measured as it is).
 */

/** One link profile. */
export interface LinkProfile {
  readonly name: string;
  /** Round-trip time, ms. */
  readonly rttMs: number;
  /** Bandwidth per direction, bits per second (Infinity: no serialisation delay). */
  readonly bitsPerSecond: number;
}

/** The link profiles `--link` accepts. */
export const LINKS: Readonly<Record<string, LinkProfile>> = {
  loopback: { name: 'loopback', rttMs: 0, bitsPerSecond: Number.POSITIVE_INFINITY },
  lan: { name: 'lan', rttMs: 2, bitsPerSecond: 1e9 },
  wan: { name: 'wan', rttMs: 50, bitsPerSecond: 100e6 },
};

/** The profile named `name`, or an error naming the accepted ones. */
export function linkProfile(name: string): LinkProfile {
  const p = LINKS[name];
  if (!p) throw new Error(`unknown link "${name}" (known: ${Object.keys(LINKS).join(', ')})`);
  return p;
}

/** Milliseconds to serialise `bytes` on the profile's link. */
export function transferMs(profile: LinkProfile, bytes: number): number {
  return Number.isFinite(profile.bitsPerSecond) ? (bytes * 8 * 1000) / profile.bitsPerSecond : 0;
}

/**
 * The shared state of one link: when each direction is free again. `deliverAt` schedules a
 * chunk that is ready at `readyAt` (ms, any monotonic clock) and returns when its last byte
 * arrives at the far end (serialisation after whatever is queued, then half an RTT).
 */
export class ModelledLink {
  private readonly free = { up: 0, down: 0 };

  constructor(readonly profile: LinkProfile) {}

  /** When a chunk of `bytes` ready at `readyAt` arrives at the other end of `direction`. */
  deliverAt(direction: 'up' | 'down', readyAt: number, bytes: number): number {
    const start = Math.max(readyAt, this.free[direction]);
    const sent = start + transferMs(this.profile, bytes);
    this.free[direction] = sent;
    return sent + this.profile.rttMs / 2;
  }

  /** Whether the link adds any delay at all (loopback does not). */
  get delays(): boolean {
    return this.profile.rttMs > 0 || Number.isFinite(this.profile.bitsPerSecond);
  }
}

/**
 * The depth of a chain of requests: a request started after another one ended depends on it
 * (a client that waits for an answer before asking again), one that overlaps does not. The
 * depth is the longest such chain: the sequential round trips a client paid.
 */
export class RoundTripDepth {
  private readonly ended: { at: number; depth: number }[] = [];
  private deepest = 0;

  /** Records a request's start; returns its depth (call `end` with it when it completes). */
  start(at: number): number {
    let d = 0;
    for (const e of this.ended) if (e.at <= at && e.depth > d) d = e.depth;
    return d + 1;
  }

  /** Records that a request of `depth` ended at `at`. */
  end(at: number, depth: number): void {
    this.ended.push({ at, depth });
    if (depth > this.deepest) this.deepest = depth;
  }

  /** The longest chain so far. */
  get depth(): number {
    return this.deepest;
  }
}
