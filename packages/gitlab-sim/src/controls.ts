import { createHash } from 'node:crypto';

/** One request the simulator received, as the request log keeps it (never with a token). */
export interface LoggedRequest {
  readonly seq: number;
  /** Simulator time when the request arrived (ISO 8601 UTC). */
  readonly at: string;
  readonly method: string;
  /** Path without the query string, still URL-encoded. */
  readonly path: string;
  readonly query: string;
  /** The route template that matched (`git` for smart-HTTP, `control` for /-/sim). */
  readonly route: string;
  status: number;
  /** The parsed JSON/form body, if any (tokens are never part of bodies we log). */
  readonly body: unknown;
  /** The fault injected into this request, if one was. */
  fault?: FaultKind;
  /** Whether the handler ran (false when a fault answered or dropped before it). */
  handled: boolean;
}

/** What a fault does to a matching request. */
export type FaultKind =
  | 'status'
  | 'drop-before'
  | 'drop-after'
  | 'delay'
  | 'malformed-json'
  | 'html-error'
  | 'huge-body'
  | 'deep-body'
  /** The handler runs (the side effect happens), then the answer is held for `delayMs` before it is sent. */
  | 'delay-after';

/** A fault rule: which requests it hits, what it does, how many times. */
export interface FaultRule {
  /** HTTP method to match (any when omitted). */
  readonly method?: string;
  /** Route template (e.g. `/projects/:id/pipeline`) or a RegExp source matched against the raw path. */
  readonly route?: string;
  readonly pathPattern?: string;
  readonly kind: FaultKind;
  /** Status code for `status` and `html-error` (default 500 / 502). */
  readonly status?: number;
  /** `Retry-After` seconds to send with a 429/503. */
  readonly retryAfterSeconds?: number;
  /** Delay for `delay` (ms of real time; the response is still sent afterwards). */
  readonly delayMs?: number;
  /** How many matching requests to hit (default 1); `Infinity` for all. */
  times?: number;
  /** Skip this many matching requests first (default 0). */
  skip?: number;
  /** Custom JSON body for `status`. */
  readonly body?: unknown;
}

/** The request log and the fault table, shared by the server and the test controls. */
export class SimControls {
  private seq = 0;
  readonly requests: LoggedRequest[] = [];
  readonly faults: FaultRule[] = [];

  /** Records an incoming request and returns the entry to complete later. */
  log(entry: Omit<LoggedRequest, 'seq' | 'status' | 'handled'>): LoggedRequest {
    const full: LoggedRequest = { ...entry, seq: ++this.seq, status: 0, handled: false };
    this.requests.push(full);
    return full;
  }

  /** Adds a fault rule. */
  addFault(rule: FaultRule): void {
    this.faults.push({ times: 1, skip: 0, ...rule });
  }

  /** Removes every fault rule. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Forgets every logged request. */
  clearLog(): void {
    this.requests.length = 0;
  }

  /** Takes the fault (if any) that applies to this request, consuming one use of it. */
  takeFault(method: string, route: string, path: string): FaultRule | undefined {
    for (const rule of this.faults) {
      if (rule.method && rule.method !== method) continue;
      if (rule.route && rule.route !== route) continue;
      if (rule.pathPattern && !new RegExp(rule.pathPattern).test(path)) continue;
      if ((rule.skip ?? 0) > 0) {
        rule.skip = (rule.skip ?? 0) - 1;
        continue;
      }
      if ((rule.times ?? 1) <= 0) continue;
      rule.times = (rule.times ?? 1) - 1;
      return rule;
    }
    return undefined;
  }

  /** Requests matching a method and route template (e.g. every cherry-pick POST). */
  find(method: string, route: string): LoggedRequest[] {
    return this.requests.filter((r) => r.method === method && r.route === route);
  }
}

/** A short digest used in logs and tests to compare bodies without storing them twice. */
export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
