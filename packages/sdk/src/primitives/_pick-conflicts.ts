import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import type { PlannedPick } from '../_internal/pick-plan.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

/** One path a pick conflicts on, with the blob ids a resolver needs (null where the side has no file). */
export interface ConflictFile {
  readonly path: string;
  readonly base: string | null;
  readonly ours: string | null;
  readonly theirs: string | null;
}

const fileMeta = z.object({ blob_id: z.string() });

function blobAt(
  client: GitLabClient,
  project: string,
  path: string,
  ref: string,
): ResultAsync<string | null, HotfixError> {
  return client
    .request(
      {
        method: 'GET',
        route: '/projects/:id/repository/files/:file_path',
        params: { id: project, file_path: path },
        query: { ref },
      },
      fileMeta,
    )
    .map((m): string | null => m.blob_id)
    .orElse((e) => (e.code === 'gitlab-not-found' ? okAsync(null) : errAsync(e)));
}

/**
 * Lists the paths where both release and the pick changed the file since the pick's
 * base (parent, or mainline parent), with base/ours/theirs blob ids, reading only
 * those paths through the repository API. GitLab reports that a pick conflicts but not
 * where; this tells the resolver (D3).
 */
export function conflictDetails(
  client: GitLabClient,
  project: string,
  pick: PlannedPick,
  releaseHead: string,
): ResultAsync<ConflictFile[], HotfixError> {
  const base = pick.parentIds[0] ?? '';
  const work = async (): Promise<ConflictFile[]> => {
    const diff = await must(client.commitDiff(project, pick.sha, { maxPages: 10 }));
    const paths = [...new Set(diff.items.flatMap((d) => [d.old_path, d.new_path]))];
    const out: ConflictFile[] = [];
    for (const path of paths) {
      const b = await must(blobAt(client, project, path, base));
      const ours = await must(blobAt(client, project, path, releaseHead));
      const theirs = await must(blobAt(client, project, path, pick.sha));
      if (ours !== b && theirs !== b && ours !== theirs) out.push({ path, base: b, ours, theirs });
    }
    return out;
  };
  return fromBody(work());
}
