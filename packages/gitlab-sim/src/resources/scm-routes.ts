import type { Router } from '../_internal/router.js';
import { registerBranches } from './branches.js';
import { registerCommitActions } from './commit-actions.js';
import { registerCommits } from './commits.js';
import { registerCompare } from './compare.js';
import type { ResourceDeps } from './deps.js';
import { registerLabels } from './labels.js';
import { registerMergeRequestApprovals } from './merge-request-approvals.js';
import { registerMergeRequestMerge } from './merge-request-merge.js';
import { registerMergeRequestNotes } from './merge-request-notes.js';
import { registerMergeRequests } from './merge-requests.js';
import { registerProjects } from './projects.js';
import { registerProtectedBranches } from './protected-branches.js';
import { registerRepositoryFiles } from './repository-files.js';
import { registerResourceLabelEvents } from './resource-label-events.js';

/** Registers the source-code-management resources: projects, repository, labels, merge requests. */
export function registerScmResources(router: Router, deps: ResourceDeps): void {
  registerProjects(router, deps);
  registerBranches(router, deps);
  registerProtectedBranches(router, deps);
  registerCommits(router, deps);
  registerCommitActions(router, deps);
  registerCompare(router, deps);
  registerRepositoryFiles(router, deps);
  registerLabels(router, deps);
  registerMergeRequests(router, deps);
  registerMergeRequestMerge(router, deps);
  registerMergeRequestApprovals(router, deps);
  registerMergeRequestNotes(router, deps);
  registerResourceLabelEvents(router, deps);
}
