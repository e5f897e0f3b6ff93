import { EXIT_CODES } from '../exit-codes.js';
import { type ProblemDetails, problem } from '../problem.js';

/**
 * The local conflict-resolution path (D3: resolve on a local release branch, verify the tree,
 * push only after confirming) needs an SDK API that takes a resolved workspace, verifies it and
 * pushes with compare-and-swap. The SDK does not export one yet, so the CLI says so plainly
 * instead of pretending.
 */
export function resolutionNotAvailable(workspace: string | undefined): ProblemDetails {
  return problem({
    code: 'not-available',
    title: 'Not available in this version',
    detail:
      'Continuing from a locally resolved workspace is not available yet: the SDK exposes no API to verify a resolved tree and push it to release. Resolve on a local release branch, verify the tree, push it yourself (D3), then run "hotfix resume <journal>".',
    exitCode: EXIT_CODES.unavailable,
    runbookRef: 'D3',
    extra: workspace ? { workspace } : {},
  });
}
