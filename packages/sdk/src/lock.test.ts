import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportNames } from '../../../scripts/export-names.js';
import * as api from './lock.js';

const names = exportNames(join(import.meta.dirname, 'lock.ts'));

describe('@hotfix-release/sdk/lock public surface', () => {
  it('exports exactly these names', () => {
    expect(names).toMatchSnapshot();
  });

  it('exports at runtime exactly its declared values', () => {
    expect(Object.keys(api).sort()).toEqual(names.filter((n) => !n.startsWith('type ')).sort());
  });
});
