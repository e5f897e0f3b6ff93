/**
 * readLiveFacts: re-reads from GitLab the facts an evidence bundle claims for one target
 * (pipeline inputs, deployed SHA, label, note), read back the same way the promotion read
 * them, so the policy's `live-facts` control can compare the two.
 */
import { createHash } from 'node:crypto';
import { errAsync, type ResultAsync } from 'neverthrow';
import { fromBody, must } from '../_internal/must.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import { checkTokenCan, INSPECTION_OPERATIONS } from '../token-kinds.js';
import { guidedAction, guidedRequest } from './trigger-guided-release/guard.js';
import { inputsFromName, readPipeline, readVariables } from './trigger-guided-release/reconcile.js';

/** What to re-read for one target (the policy's LiveFactsQuery has this shape). */
export interface LiveFactsRequest {
  readonly target: string;
  readonly pipeline: { readonly project: string; readonly id: number } | null;
  readonly environment: string;
  readonly mr: { readonly project: string; readonly iid: number };
  readonly noteId: number | null;
  readonly label: string;
}

/** The facts as GitLab reports them now (the policy's LiveFactsSnapshot has this shape). */
export interface LiveFacts {
  readonly pipelineInputs: Record<string, string | boolean> | null;
  readonly deployedSha: string | null;
  readonly labelPresent: boolean;
  readonly note: { readonly bodyDigest: string } | null;
}

/**
 * Re-reads a target's facts: the orchestration pipeline's guided inputs (from its variables or
 * its name, as `triggerGuidedRelease` reads them back), the SHA of the environment's last
 * successful deployment, whether the MR carries the label, and the digest of the MR note.
 *
 * Errors: `invalid-input`, `forbidden-action` (configuration), `token-insufficient` (a job token
 * cannot read the merge request; refused before any request), `gitlab-*` and transport errors.
 * @see E2 E5 E7 E8
 */
export function readLiveFacts(
  client: GitLabClient,
  config: RunbookConfig,
  request: LiveFactsRequest,
): ResultAsync<LiveFacts, HotfixError> {
  const can = checkTokenCan(client.tokenKind, INSPECTION_OPERATIONS, 'readLiveFacts');
  if (can.isErr()) return errAsync(can.error);
  const action = guidedAction(config);
  if (action.isErr()) return errAsync(action.error);
  const req = guidedRequest(config, action.value, request.target);
  if (req.isErr()) return errAsync(req.error);
  const guided = req.value;
  const work = async (): Promise<LiveFacts> => {
    let pipelineInputs: Record<string, string | boolean> | null = null;
    if (request.pipeline) {
      const p = await must(readPipeline(client, request.pipeline.project, request.pipeline.id));
      const vars = await must(readVariables(client, request.pipeline.project, request.pipeline.id));
      const fromVars =
        guided.via === 'variables'
          ? Object.fromEntries(
              vars.filter((v) => guided.variables.some((w) => w.key === v.key)).map((v) => [v.key, v.value]),
            )
          : {};
      pipelineInputs = Object.keys(fromVars).length ? fromVars : inputsFromName(guided, p.name);
    }
    let deployedSha: string | null = null;
    const envs = await must(client.environmentsByName(request.target, request.environment));
    if (envs[0])
      deployedSha = (await must(client.environment(request.target, envs[0].id))).last_deployment?.sha ?? null;
    const mr = await must(client.mergeRequest(request.mr.project, request.mr.iid));
    let note: LiveFacts['note'] = null;
    if (request.noteId !== null) {
      const notes = await must(client.mergeRequestNotes(request.mr.project, request.mr.iid, { maxPages: 20 }));
      const found = notes.items.find((n) => n.id === request.noteId);
      if (found) note = { bodyDigest: `sha256:${createHash('sha256').update(found.body).digest('hex')}` };
    }
    return { pipelineInputs, deployedSha, labelPresent: (mr.labels ?? []).includes(request.label), note };
  };
  return fromBody(work());
}
