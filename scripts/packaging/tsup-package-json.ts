// Shared by every package's tsup.config.ts. A package reads its own version from package.json
// (`import packageJson from '../package.json' with { type: 'json' }`), so the version is never a
// literal in source. esbuild would inline the whole manifest (scripts, workspace: ranges); this
// plugin makes a bundled package.json expose only its name and version.
import { readFile } from 'node:fs/promises';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** An esbuild plugin that bundles any imported package.json as `{ name, version }` only. */
export function packageJsonNameAndVersion(): EsbuildPlugin {
  return {
    name: 'package-json-name-and-version',
    setup(build) {
      build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
        const manifest = JSON.parse(await readFile(args.path, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
          return { errors: [{ text: `${args.path} has no string name and version` }] };
        }
        return { contents: JSON.stringify({ name: manifest.name, version: manifest.version }), loader: 'json' };
      });
    },
  };
}
