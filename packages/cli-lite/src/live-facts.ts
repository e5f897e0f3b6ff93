/**
 * Wires the policy's LiveFacts to the SDK: loaded only for `policy check --live`, so a plain
 * policy check never loads the GitLab client.
 */

import { describeError } from '@hotfix-release/evidence';
import type { LiveFacts } from '@hotfix-release/policy';
import type { Parsed } from './args.js';
import { connect, requireTokenCan } from './gitlab.js';
import type { CliDeps } from './types.js';

/** A LiveFacts provider over the SDK client from the CLI's configuration. */
export async function createLiveFacts(deps: CliDeps, parsed: Parsed): Promise<LiveFacts> {
  const gl = await connect(deps, parsed);
  await requireTokenCan(gl, 'inspection', 'hotfix policy check --live');
  return async (q) => {
    const r = await gl.sdk.readLiveFacts(gl.client, gl.config, q);
    if (r.isErr()) throw new Error(describeError(r.error));
    return r.value;
  };
}
