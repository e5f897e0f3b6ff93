import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source: the "@hotfix-release/source" export
// condition maps each package to its src/index.ts. Node tests resolve through vite's
// ssr environment, so the condition must be listed there too.
const conditions = ['@hotfix-release/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
      'bench/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
