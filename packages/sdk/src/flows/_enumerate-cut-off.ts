/**
 * E3 is a negative ("the cut-off action was NOT selected"), so it is proven, not
 * assumed: every orchestration pipeline created in the promotion window is listed
 * (pages read until exhausted, bounded) and checked for the cut-off action aimed at the
 * target, by what GitLab reports back (the pipeline name the orchestrator derives
 * from its inputs, and the pipeline variables).
 */
import type { EnumerationRecord } from '@hotfix-release/evidence';
import type { ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { pipelineSchema } from '../_internal/schemas.js';
import { type Clock, isoNow } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { isCutOffAction, type RunbookConfig } from '../runbook-config.js';
import { apiUrl, utc } from './_records.js';

const listed = pipelineSchema.extend({ name: z.string().nullable().optional() });

/** Whether what GitLab reports for a pipeline selects the cut-off action for `target`. */
export function selectsCutOff(
  config: RunbookConfig,
  target: string,
  reported: { name?: string | null | undefined; variables?: readonly { key: string; value: string | null }[] },
): boolean {
  const cut = config.orchestration.cutOffAction;
  const tokens = (reported.name ?? '').split(/\s+/).filter(Boolean);
  const nameSays =
    tokens.some((t) => isCutOffAction(t.replace(/^[a-z_]+=/, ''), cut)) &&
    tokens.some((t) => t.replace(/^[a-z_]+=/, '') === target);
  const names = config.orchestration.inputNames;
  const vars = new Map((reported.variables ?? []).map((v) => [v.key.toLowerCase(), v.value ?? '']));
  const action = vars.get(names.action.toLowerCase());
  const project = vars.get(names.project.toLowerCase());
  const varsSay = action !== undefined && isCutOffAction(action, cut) && (project === undefined || project === target);
  return nameSays || varsSay;
}

/**
 * Lists the orchestration pipelines created in [windowStart, windowEnd] and returns
 * the E3 enumeration record: the query, the window, pages read, whether the pages were
 * exhausted, how many pipelines were examined and the ids of any that selected the
 * cut-off action for the target.
 *
 * @see E3 S5
 */
export function enumerateCutOff(
  client: GitLabClient,
  config: RunbookConfig,
  target: string,
  window: { readonly start: string; readonly end: string },
  opts: { readonly maxPages?: number; readonly readVariables?: boolean; readonly clock?: Clock } = {},
): ResultAsync<EnumerationRecord, HotfixError> {
  const project = config.orchestration.project;
  const query = {
    created_after: utc(window.start),
    created_before: utc(window.end),
    order_by: 'id',
    sort: 'desc',
  } as const;
  const work = async (): Promise<EnumerationRecord> => {
    const pages = await must(
      client.pipelines(project, { ...query }, { perPage: 100, maxPages: opts.maxPages ?? 10, onLimit: 'partial' }),
    );
    const readVars = opts.readVariables ?? config.orchestration.inputsVia === 'variables';
    const offending: number[] = [];
    for (const p of pages.items) {
      const named = await must(
        client.request(
          { method: 'GET', route: '/projects/:id/pipelines/:pipeline_id', params: { id: project, pipeline_id: p.id } },
          listed,
        ),
      );
      const variables = readVars || !named.name ? await must(client.pipelineVariables(project, p.id)) : [];
      if (selectsCutOff(config, target, { name: named.name, variables })) offending.push(p.id);
    }
    const search = new URLSearchParams({ ...query, per_page: '100' }).toString();
    return {
      apiUrl: apiUrl(client, project, `/pipelines?${search}`),
      observedAt: isoNow(opts.clock ?? client.clock),
      query: `GET /projects/${encodeURIComponent(project)}/pipelines?${search}`,
      windowStart: utc(window.start),
      windowEnd: utc(window.end),
      pagesRead: pages.pagesRead,
      pagesExhausted: pages.exhausted,
      pipelinesExamined: pages.items.length,
      offendingPipelineIds: offending,
    };
  };
  return fromBody(work());
}
