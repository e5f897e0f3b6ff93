/** The finding shape of `diagnose` and what its checks share. */
import type { RunbookId } from '@hotfix-release/evidence';
import { isAccessError } from '../../_internal/capabilities.js';
import type { HotfixError } from '../../errors.js';

/** How one check came out: `fail` blocks the runbook, `warn` may, `ok` does not. */
export type DiagnoseStatus = 'ok' | 'warn' | 'fail';

/** One finding of `diagnose`: what was checked, how it came out and how to fix it. */
export interface DiagnoseFinding {
  /** Stable kebab-case id of the check, e.g. `orchestration-ref`, `release-push`. */
  readonly id: string;
  readonly status: DiagnoseStatus;
  readonly message: string;
  /** What to change (empty when `ok`). */
  readonly fix: string;
  readonly runbookRef: RunbookId;
  /** The target project it concerns, when it concerns one. */
  readonly target?: string;
}

/** Records one finding. */
export type Add = (finding: DiagnoseFinding) => void;

/** 404 and 403 become findings; anything else (401 mid-pass, network, rate limit) stops the pass. */
export function mustContinue(e: HotfixError): void {
  if (!isAccessError(e)) throw e;
}
