// The version comes from package.json, never from a literal: tsup inlines it at build time, and
// tests and tsx read the same file from source, so `changeset version` is the only place it changes.
import packageJson from '../package.json' with { type: 'json' };

/** The version of `@hotfix-release/cli` as its package.json states it. */
export const PACKAGE_VERSION: string = packageJson.version;
