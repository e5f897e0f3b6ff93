/**
 * diagnose, E2/E3: can the evidence rest on observed facts with the configured orchestrator
 * profile? Recent orchestration pipelines must have readable jobs, and a deploy run among them
 * must show a job or bridge for each deploy fingerprint entry, none of the cut-off's.
 */
import type { RunbookId } from '@hotfix-release/evidence';
import type { GitLabClient } from '../../gitlab-client.js';
import { matchesFingerprint, orchestratorFor, type RunbookConfig } from '../../runbook-config.js';
import { type Add, mustContinue } from './types.js';

type Fingerprints = RunbookConfig['orchestration']['fingerprints'];

/** Job and bridge names of one pipeline, or the reason they are unreadable. */
type PipelineNames = { readonly id: number; readonly names: readonly string[] } | { readonly unreadable: string };

async function namesOf(client: GitLabClient, project: string, id: number): Promise<PipelineNames> {
  const jobs = await client.pipelineJobs(project, id, { perPage: 100, maxPages: 1, onLimit: 'partial' });
  if (jobs.isErr()) {
    mustContinue(jobs.error);
    return { unreadable: jobs.error.code };
  }
  const bridges = await client.pipelineBridges(project, id, { perPage: 100, maxPages: 1, onLimit: 'partial' });
  if (bridges.isErr()) {
    mustContinue(bridges.error);
    return { unreadable: bridges.error.code };
  }
  return { id, names: [...jobs.value.items, ...bridges.value.items].map((j) => j.name) };
}

const matchesAll = (names: readonly string[], entries: readonly string[]) =>
  entries.every((e) => names.some((n) => matchesFingerprint(n, e)));
const matchesAny = (names: readonly string[], entries: readonly string[]) =>
  entries.some((e) => names.some((n) => matchesFingerprint(n, e)));

/** Checks each distinct deploy fingerprint of the targets' profiles against recent orchestration pipelines. */
export async function checkObserved(
  client: GitLabClient,
  config: RunbookConfig,
  targets: readonly string[],
  recent: number,
  add: Add,
): Promise<void> {
  const orch = config.orchestration;
  const base = { id: 'observed-deploy', runbookRef: 'E2' as RunbookId };
  const list = await client.pipelines(
    orch.project,
    { ref: orch.ref, order_by: 'id', sort: 'desc' },
    { perPage: recent, maxPages: 1, onLimit: 'partial' },
  );
  if (list.isErr()) {
    mustContinue(list.error);
    add({
      ...base,
      status: 'fail',
      message: `The pipelines of ${orch.project} are not readable to this token: E2 and E3 cannot rest on what GitLab shows.`,
      fix: `Ask for at least the Reporter role in ${orch.project}.`,
    });
    return;
  }
  if (list.value.items.length === 0) {
    add({
      ...base,
      status: 'warn',
      message: `${orch.project} has no pipeline on ${orch.ref} yet: the deploy fingerprint cannot be compared with a real run.`,
      fix: 'Run the orchestrator once by hand (action deploy-release-branch-to-staging), then run hotfix doctor again.',
    });
    return;
  }
  const seen: PipelineNames[] = [];
  for (const p of list.value.items) seen.push(await namesOf(client, orch.project, p.id));
  const unreadable = seen.find((s): s is { unreadable: string } => 'unreadable' in s);
  if (unreadable) {
    add({
      ...base,
      id: 'jobs-readable',
      status: 'fail',
      message: `The jobs or bridges of ${orch.project}'s pipelines are not readable to this token (${unreadable.unreadable}): E2 and E3 would rest on what was sent, not on what ran.`,
      fix: `Ask for at least the Reporter role in ${orch.project} (and, for a job token, access to pipeline jobs).`,
    });
    return;
  }
  const runs = seen as { id: number; names: readonly string[] }[];
  const profiles = new Map<string, { fingerprints: Fingerprints; targets: string[] }>();
  for (const t of targets.length ? targets : [undefined]) {
    const fingerprints = (t ? orchestratorFor(config, t) : orch).fingerprints;
    const key = JSON.stringify(fingerprints);
    const entry = profiles.get(key) ?? { fingerprints, targets: [] };
    if (t) entry.targets.push(t);
    profiles.set(key, entry);
  }
  for (const { fingerprints, targets: ts } of profiles.values()) judge(runs, fingerprints, ts, orch.project, add);
}

function judge(
  runs: readonly { id: number; names: readonly string[] }[],
  fp: Fingerprints,
  targets: readonly string[],
  project: string,
  add: Add,
): void {
  const base = {
    id: 'observed-deploy',
    runbookRef: 'E2' as RunbookId,
    ...(targets.length === 1 ? { target: targets[0] } : {}),
  };
  const deploy = runs.find((r) => matchesAll(r.names, fp.deploy) && !matchesAny(r.names, fp.cutOff));
  const both = runs.find((r) => matchesAll(r.names, fp.deploy) && matchesAny(r.names, fp.cutOff));
  const names = [...new Set(runs.flatMap((r) => r.names))];
  if (deploy)
    add({
      ...base,
      status: 'ok',
      message: `Pipeline #${deploy.id} of ${project} shows the deploy fingerprint (${fp.deploy.join(', ')}) and no cut-off job: E2 and E3 can rest on observed jobs.`,
      fix: '',
    });
  else if (both)
    add({
      ...base,
      runbookRef: 'E3',
      status: 'fail',
      message: `Pipeline #${both.id} of ${project} matches both the deploy (${fp.deploy.join(', ')}) and the cut-off fingerprint (${fp.cutOff.join(', ')}): E3 would refuse every deploy.`,
      fix: 'Narrow orchestration.fingerprints.cutOff to the jobs only a cut-off run has.',
    });
  else
    add({
      ...base,
      status: 'fail',
      message: `The deploy fingerprint (${fp.deploy.join(', ')}) matches no job or bridge of the last ${runs.length} pipeline(s) of ${project}; they show ${names.slice(0, 12).join(', ') || 'no jobs'}.`,
      fix: "Set orchestration.fingerprints.deploy (or the service's orchestration.fingerprints.deploy) to the job or bridge names a deploy run shows.",
    });
}
