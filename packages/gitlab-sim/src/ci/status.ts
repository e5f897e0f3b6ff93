/** GitLab's composite status (Gitlab::Ci::Status::Composite) and `detailed_status` rendering. */
import type { JobStatus, SimJob } from './model.js';

type Bucket = JobStatus | 'ignored' | 'success_with_warnings';

/** The status of a group of jobs (a pipeline or a stage), as GitLab composes it. */
export function compositeStatus(jobs: readonly Pick<SimJob, 'status' | 'allowFailure'>[]): JobStatus | undefined {
  if (jobs.length === 0) return undefined;
  const set = new Set<Bucket>();
  for (const j of jobs) {
    if (j.allowFailure && j.status === 'failed') set.add('success_with_warnings');
    else if (j.allowFailure && (j.status === 'canceled' || j.status === 'manual')) set.add('ignored');
    else set.add(j.status);
  }
  const only = (...s: Bucket[]) => [...set].every((x) => s.includes(x));
  const any = (...s: Bucket[]) => s.some((x) => set.has(x));
  if (only('skipped', 'ignored')) return 'skipped';
  if (only('success', 'skipped', 'success_with_warnings', 'ignored')) return 'success';
  if (only('created', 'success_with_warnings', 'ignored')) return 'created';
  if (only('preparing', 'success_with_warnings', 'ignored')) return 'preparing';
  if (only('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) return 'canceled';
  if (only('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return 'pending';
  if (any('running', 'pending')) return 'running';
  if (any('canceling')) return 'canceling';
  if (any('waiting_for_resource')) return 'waiting_for_resource';
  if (any('waiting_for_callback')) return 'waiting_for_callback';
  if (any('manual')) return 'manual';
  if (any('scheduled')) return 'scheduled';
  if (any('preparing')) return 'preparing';
  if (any('created')) return 'running';
  return 'failed';
}

/** Whether some allowed-to-fail job failed (GitLab shows "passed with warnings"). */
export function hasWarnings(jobs: readonly Pick<SimJob, 'status' | 'allowFailure'>[]): boolean {
  return jobs.some((j) => j.allowFailure && j.status === 'failed');
}

const TEXT: Record<string, [text: string, label: string, group: string, icon: string]> = {
  created: ['Created', 'created', 'created', 'status_created'],
  waiting_for_resource: ['Waiting', 'waiting for resource', 'waiting-for-resource', 'status_pending'],
  preparing: ['Preparing', 'preparing', 'preparing', 'status_preparing'],
  pending: ['Pending', 'pending', 'pending', 'status_pending'],
  running: ['Running', 'running', 'running', 'status_running'],
  success: ['Passed', 'passed', 'success', 'status_success'],
  failed: ['Failed', 'failed', 'failed', 'status_failed'],
  canceling: ['Canceling', 'canceling', 'canceling', 'status_canceled'],
  canceled: ['Canceled', 'canceled', 'canceled', 'status_canceled'],
  skipped: ['Skipped', 'skipped', 'skipped', 'status_skipped'],
  manual: ['Manual', 'manual action', 'manual', 'status_manual'],
  scheduled: ['Scheduled', 'scheduled', 'scheduled', 'status_scheduled'],
  waiting_for_callback: ['Waiting', 'waiting for callback', 'waiting-for-callback', 'status_pending'],
};

/** The `detailed_status` object of a pipeline (manual pipelines render as "Blocked"). */
export function pipelineDetailedStatus(
  status: JobStatus,
  warnings: boolean,
  detailsPath: string,
): Record<string, unknown> {
  let [text, label, group, icon] = TEXT[status] ?? ['Unknown', status, status, 'status_notfound'];
  if (status === 'manual') [text, label] = ['Blocked', 'waiting for manual action'];
  if (status === 'success' && warnings) {
    [text, label, group, icon] = ['Warning', 'passed with warnings', 'success-with-warnings', 'status_warning'];
  }
  return {
    icon,
    text,
    label,
    group,
    tooltip: label,
    has_details: true,
    details_path: detailsPath,
    illustration: null,
    favicon: `/assets/ci_favicons/favicon_${icon}.png`,
  };
}
