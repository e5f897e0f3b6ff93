import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SDK_VERSION } from '../flows/promote-hotfix.js';
import { PACKAGE_VERSION } from './package-version.js';

describe('PACKAGE_VERSION', () => {
  it('is the version package.json states, and SDK_VERSION (the evidence tool version) is the same', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(PACKAGE_VERSION).toBe(manifest.version);
    expect(SDK_VERSION).toBe(manifest.version);
  });
});
