import { defineConfig } from 'vitest/config';

// The browser tier (`pnpm test:browser`): headless Chromium from Debian's `chromium` package opens the
// HTML evidence reports. Kept out of `pnpm test`, which never needs a browser.
const conditions = ['@hotfix-release/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
