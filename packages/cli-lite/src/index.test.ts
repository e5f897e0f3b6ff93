import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportNames } from '../../../scripts/export-names.js';
import * as api from './index.js';

const names = exportNames(join(import.meta.dirname, 'index.ts'));

describe('@hotfix-release/cli public surface', () => {
  it('exports exactly these names', () => {
    expect(names).toMatchSnapshot();
  });

  it('exports at runtime exactly its declared values', () => {
    expect(Object.keys(api).sort()).toEqual(names.filter((n) => !n.startsWith('type ')).sort());
  });
});
