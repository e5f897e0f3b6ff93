import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportNames } from '../../../scripts/export-names.js';
import * as api from './index.js';

const names = exportNames(join(import.meta.dirname, 'index.ts'));

describe('@hotfix-release/sdk public surface', () => {
  it('exports exactly these names', () => {
    expect(names).toMatchSnapshot();
  });

  it('exports at runtime exactly its declared values', () => {
    expect(Object.keys(api).sort()).toEqual(names.filter((n) => !n.startsWith('type ')).sort());
  });

  // Issue 15: the root held 176 names, GitLab response schemas and `_internal` transport types
  // among them. The root is the runbook steps; GitLab shapes live at `@hotfix-release/sdk/gitlab`.
  it('stays at most half of the 176 names it had before the split', () => {
    expect(names.length).toBeLessThanOrEqual(88);
  });
});
