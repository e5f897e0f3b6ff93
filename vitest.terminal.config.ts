import { defineConfig } from 'vitest/config';

// The terminal tier (`pnpm test:terminal`): the CLI in real terminals and shells (tmux, bash, zsh,
// fish), which `.ci/run` installs. Kept out of `pnpm test` so it stays fast and needs no extra tools.
const conditions = ['@hotfix-release/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/terminal/**/*.tty-test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
