import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planGuidedRelease } from '../src/primitives/trigger-guided-release.js';
import { orchestratorFor, parseRunbookConfig } from '../src/runbook-config.js';

const guide = readFileSync(new URL('../../../docs/guides/describing-your-orchestrator.md', import.meta.url), 'utf8');

/** The JSON block of the guide tagged `name`. */
function block(name: string): unknown {
  const m = new RegExp('```json ' + name + '\\n([\\s\\S]*?)\\n```').exec(guide);
  if (!m?.[1]) throw new Error(`the guide has no json block ${name}`);
  return JSON.parse(m[1]);
}

describe('docs/guides/describing-your-orchestrator.md', () => {
  it("writes out exactly the runbook orchestrator's defaults", () => {
    const written = parseRunbookConfig(block('runbook-orchestrator'))._unsafeUnwrap();
    expect(written.orchestration).toEqual(parseRunbookConfig({})._unsafeUnwrap().orchestration);
  });

  it('describes a valid trigger-API orchestrator that sends short names', () => {
    const cfg = parseRunbookConfig(block('trigger-api-orchestrator'))._unsafeUnwrap();
    expect(orchestratorFor(cfg, 'platform/charging-api').downstream.reach).toEqual(['trigger-api']);
    expect(planGuidedRelease(cfg, 'platform/charging-api')._unsafeUnwrap().body).toMatchObject({
      inputs: { task: 'deploy-release-branch-to-staging', service: 'charging-api', confirm: true },
    });
  });
});
