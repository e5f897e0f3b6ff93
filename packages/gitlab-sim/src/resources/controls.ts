import { badRequest, json } from '../_internal/http.js';
import type { Router } from '../_internal/router.js';
import type { SimClock } from '../clock.js';
import type { FaultKind, SimControls } from '../controls.js';
import type { SimState } from '../state.js';

const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'drop-before',
  'drop-after',
  'delay',
  'malformed-json',
  'html-error',
  'huge-body',
  'deep-body',
  'delay-after',
];

/**
 * Test controls under `/-/sim/`, a prefix GitLab does not use. No authentication:
 * the simulator binds to loopback and is a test tool.
 */
export function registerControlRoutes(
  router: Router,
  deps: { state: SimState; clock: SimClock; controls: SimControls },
): void {
  const { clock, controls } = deps;
  router.on('GET', '/-/sim/requests', (ctx) => {
    const route = ctx.query.get('route');
    const method = ctx.query.get('method');
    return json(
      controls.requests.filter(
        (r) => (!route || r.route === route) && (!method || r.method === method) && r.route !== 'control',
      ),
    );
  });
  router.on('DELETE', '/-/sim/requests', () => {
    controls.clearLog();
    return { status: 204 };
  });
  router.on('GET', '/-/sim/faults', () => json(controls.faults));
  router.on('POST', '/-/sim/faults', (ctx) => {
    const kind = ctx.body.kind;
    if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
      throw badRequest(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const times = ctx.body.times === 'all' ? Number.POSITIVE_INFINITY : Number(ctx.body.times ?? 1);
    const rule = { ...(ctx.body as object), kind: kind as FaultKind, times } as Parameters<SimControls['addFault']>[0];
    controls.addFault(rule);
    return json(rule, 201);
  });
  router.on('DELETE', '/-/sim/faults', () => {
    controls.clearFaults();
    return { status: 204 };
  });
  router.on('GET', '/-/sim/clock', () => json({ now: clock.iso(), virtual: clock.isVirtual }));
  router.on('POST', '/-/sim/clock/freeze', () => {
    clock.freeze();
    return json({ now: clock.iso(), virtual: true });
  });
  router.on('POST', '/-/sim/clock/advance', (ctx) => {
    const ms = Number(ctx.body.ms);
    if (!Number.isFinite(ms) || ms < 0) throw badRequest('ms must be a non-negative number');
    clock.advance(ms);
    return json({ now: clock.iso(), virtual: true });
  });
}
