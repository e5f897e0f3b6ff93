/** The pinned pipeline as returned (what we sent and what GitLab reports), and the per-target lock. */

import type { ReleaseEvent } from '../await-environment/types.js';
import type { GuidedRequest } from './guard.js';
import { inputsFromName, type ReadBack } from './reconcile.js';

/** The pinned orchestration pipeline: what we sent and what GitLab reports back (E2, E3). */
export interface TriggeredPipeline {
  readonly id: number;
  readonly iid: number | undefined;
  /** Numeric id of the orchestration project. */
  readonly projectId: number;
  readonly project: string;
  readonly target: string;
  readonly webUrl: string;
  readonly sha: string;
  readonly ref: string;
  readonly status: string;
  readonly source: string | undefined;
  /** ISO 8601 UTC, as GitLab reports it. */
  readonly createdAt: string;
  /** `created`: our POST made it; `adopted`: found by read-back (an earlier call, or a lost response). */
  readonly how: 'created' | 'adopted-existing' | 'adopted-after-lost-response';
  /** Exactly what we sent. */
  readonly request: GuidedRequest;
  /** What GitLab reports for the pipeline, read back after creation. */
  readonly reported: {
    /** The pipeline name (orchestrators derive it from their inputs with `workflow:name`). */
    readonly name: string | null;
    readonly variables: readonly { readonly key: string; readonly value: string }[];
    /** The guided inputs as GitLab's answers show them, and from where. */
    readonly inputs: Readonly<Record<string, string | boolean>>;
    readonly inputsFrom: 'variables' | 'pipeline-name' | 'none';
    /** ISO 8601 UTC time of the read-back. */
    readonly readAt: string;
  };
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task with the same key (an in-process per-target lock). */
export async function withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = locks.get(key) ?? Promise.resolve();
  const run = before.then(task, task);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** Builds the pinned pipeline from what was read back, and reports it as an event. */
export function pinned(
  project: string,
  target: string,
  req: GuidedRequest,
  read: ReadBack,
  how: TriggeredPipeline['how'],
  now: () => number,
  emit: (e: ReleaseEvent) => void,
): TriggeredPipeline {
  const p = read.pipeline;
  const fromName = inputsFromName(req, p.name);
  const fromVars =
    req.via === 'variables'
      ? Object.fromEntries(
          read.variables.filter((v) => req.variables.some((w) => w.key === v.key)).map((v) => [v.key, v.value]),
        )
      : {};
  const inputsFrom = Object.keys(fromVars).length
    ? 'variables'
    : Object.keys(fromName).length
      ? 'pipeline-name'
      : 'none';
  const at = new Date(now()).toISOString();
  if (how === 'created') emit({ type: 'pipeline-created', at, target, pipelineId: p.id, webUrl: p.web_url });
  else {
    emit({
      type: 'pipeline-adopted',
      at,
      target,
      pipelineId: p.id,
      webUrl: p.web_url,
      why: how === 'adopted-existing' ? 'existing' : 'lost-response',
    });
  }
  return {
    id: p.id,
    iid: p.iid,
    projectId: p.project_id,
    project,
    target,
    webUrl: p.web_url,
    sha: p.sha,
    ref: p.ref,
    status: p.status,
    source: p.source,
    createdAt: p.created_at,
    how,
    request: req,
    reported: {
      name: p.name ?? null,
      variables: read.variables,
      inputs: inputsFrom === 'variables' ? fromVars : fromName,
      inputsFrom,
      readAt: at,
    },
  };
}
