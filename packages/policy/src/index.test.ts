import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@hotfix-release/policy public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toMatchSnapshot();
  });
});
