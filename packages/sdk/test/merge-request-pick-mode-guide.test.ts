import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pickBranchName } from '../src/primitives/release-merge-request.js';
import { parseRunbookConfig, serviceFor } from '../src/runbook-config.js';

const guide = readFileSync(new URL('../../../docs/guides/merge-request-pick-mode.md', import.meta.url), 'utf8');

/** The fenced block of the guide tagged `lang name`. */
function block(lang: string, name: string): string {
  const m = new RegExp('```' + lang + ' ' + name + '\\n([\\s\\S]*?)\\n```').exec(guide);
  if (!m?.[1]) throw new Error(`the guide has no ${lang} block ${name}`);
  return m[1];
}

describe('docs/guides/merge-request-pick-mode.md', () => {
  it('configures merge-request mode for one service and leaves the other on auto (the default)', () => {
    const cfg = parseRunbookConfig(JSON.parse(block('json', 'merge-request-config')))._unsafeUnwrap();
    expect(serviceFor(cfg, 'evenergi/charging-api')?.pickMode).toBe('merge-request');
    expect(serviceFor(cfg, 'evenergi/billing-api')?.pickMode).toBe('auto');
    expect(parseRunbookConfig({ services: [{ project: 'a/b', pickMode: 'sideways' }] }).isErr()).toBe(true);
  });

  it('names the pick branch exactly as the SDK derives it', () => {
    const key = {
      mr: { project: 'evenergi/charging-api', iid: 42 },
      target: 'evenergi/charging-api',
      releaseBranch: 'release',
    };
    expect(block('text', 'pick-branch')).toBe(pickBranchName(key));
    expect(pickBranchName({ ...key, releaseBranch: 'release-eu' })).not.toBe(pickBranchName(key));
  });
});
