import { EXIT_CODES as POLICY_EXIT_CODES } from '@hotfix-release/policy';

/**
 * The exit codes of every `hotfix` command, one per outcome class. 0–3 are the policy package's
 * `EXIT_CODES` so `hotfix policy check` and the other commands share one table.
 */
export const EXIT_CODES = {
  /** Success: the command did what it was asked; every required control passed. */
  ok: POLICY_EXIT_CODES.ok,
  /** Failed: a promotion, rollback or control failed (a policy control failed, preflight found problems). */
  failed: POLICY_EXIT_CODES.failed,
  /** Evidence could not be evaluated: unreadable, invalid, bad digest or signature. */
  unevaluable: POLICY_EXIT_CODES.unevaluable,
  /** Bad configuration: config file, environment, token, waiver file or key. */
  configuration: POLICY_EXIT_CODES.configuration,
  /** Timed out: a wait passed its maximum; `hotfix resume <journal>` keeps waiting. */
  timeout: 4,
  /** Awaiting a human: a manual job or an approval gate blocks the deployment. */
  awaitingHuman: 5,
  /** Conflict: the pick conflicts and must be resolved on a local release branch (D3). */
  conflict: 6,
  /** Usage: unknown command, unknown or missing flag. */
  usage: 64,
  /** Internal error: a bug; please report it. */
  internal: 70,
  /** Interrupted (Ctrl-C): stopped cleanly; resume with the journal. */
  interrupted: 130,
} as const;

/** One of {@link EXIT_CODES}. */
export type CliExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** One line per exit code, for `hotfix --help` and the README. */
export const EXIT_CODE_HELP: readonly (readonly [CliExitCode, string])[] = [
  [EXIT_CODES.ok, 'success'],
  [EXIT_CODES.failed, 'failed (promotion, rollback, preflight or a policy control)'],
  [EXIT_CODES.unevaluable, 'evidence could not be evaluated (unreadable, invalid, bad signature)'],
  [EXIT_CODES.configuration, 'bad configuration (config file, environment, token, waivers, key)'],
  [EXIT_CODES.timeout, 'timed out waiting (resume to keep waiting)'],
  [EXIT_CODES.awaitingHuman, 'awaiting a human (manual job or approval gate)'],
  [EXIT_CODES.conflict, 'conflict needing resolution (D3)'],
  [EXIT_CODES.usage, 'usage error'],
  [EXIT_CODES.internal, 'internal error'],
  [EXIT_CODES.interrupted, 'interrupted (Ctrl-C); resume with the journal'],
];
