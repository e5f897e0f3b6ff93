/**
 * resumeHotfix: continues an interrupted promotion from its evidence journal. The
 * journal's header names the MR and the targets; every step is re-checked against
 * GitLab by the idempotent primitives, so nothing that already happened happens twice.
 */
import { hotfixRef, type PromotionBundle, readJournal } from '@hotfix-release/evidence';
import { errAsync, ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import type { PromoteOptions } from './_promote-options.js';
import type { FlowHooks } from './_runner.js';
import { type PromotionResult, promoteHotfix } from './promote-hotfix.js';

/**
 * Resumes the promotion journaled at `journalPath` (same MR, same targets).
 *
 * Errors: `evidence` (no journal, or unreadable), and those of `promoteHotfix`.
 *
 * @example
 * ```ts
 * const r = await resumeHotfix(client, config, { journalPath: 'demo-output/evidence.journal.json' });
 * ```
 * @see D4 E1 E2 E3 E4 E5 E6 E7 E8
 */
export function resumeHotfix(
  client: GitLabClient,
  config: RunbookConfig,
  options: Omit<PromoteOptions, 'mr' | 'targets' | 'hotfixes' | 'journalPath'> & { readonly journalPath: string },
  dependencies: FlowHooks = {},
): ResultAsync<PromotionResult, HotfixError> {
  return ResultAsync.fromSafePromise(readJournal(options.journalPath)).andThen((state) => {
    if (!state.isOk()) {
      return errAsync(
        hotfixError('evidence', `Cannot resume from ${options.journalPath}: ${state.error.message}`, {
          details: { path: options.journalPath, reason: state.error.message },
        }),
      );
    }
    const { bundle } = state.value;
    return promoteHotfix(
      client,
      config,
      {
        ...options,
        ...resumeRequest(bundle),
      },
      dependencies,
    );
  });
}

/**
 * The request a journal was started with: one MR and its targets as before, or (D4 across repositories)
 * each MR with its further targets, in the journal's target order.
 */
function resumeRequest(bundle: PromotionBundle): Pick<PromoteOptions, 'mr' | 'targets' | 'hotfixes'> {
  const [only] = bundle.hotfixes;
  if (bundle.hotfixes.length === 1 && only)
    return { mr: { project: only.mr.project, iid: only.mr.iid }, targets: bundle.targets.map((t) => t.project) };
  return {
    hotfixes: bundle.hotfixes.map((h) => {
      const ref = hotfixRef(h.mr);
      const mine = bundle.targets.filter((t) => t.hotfix === ref);
      const further = mine.filter((t) => t.project !== h.mr.project).map((t) => t.project);
      const dependsOn = mine[0]?.dependsOn;
      return {
        mr: { project: h.mr.project, iid: h.mr.iid },
        ...(further.length > 0 ? { targets: further } : {}),
        ...(dependsOn ? { dependsOn } : {}),
      };
    }),
  };
}
