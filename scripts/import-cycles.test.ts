import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findImportCycles } from './import-cycles.js';

const made: string[] = [];

/** A throwaway repository with one package `demo` holding the given source files. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
  made.push(dir);
  const pkg = join(dir, 'packages', 'demo');
  mkdirSync(join(pkg, 'src'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@demo/demo', exports: { '.': { '@hotfix-release/source': './src/index.ts' } } }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(pkg, 'src', name), text);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe(findImportCycles.name, () => {
  it('passes a graph without a cycle', () => {
    const r = findImportCycles(repo({ 'index.ts': "export { a } from './a.js';\n", 'a.ts': 'export const a = 1;\n' }));
    expect(r).toEqual({ modules: 2, cycles: [] });
  });

  it('fails on a cycle made only of a type-only import and a dynamic import', () => {
    const dir = repo({
      'index.ts': "export { load } from './a.js';\n",
      'a.ts':
        "import type { B } from './b.js';\nexport const load = (): Promise<B> => import('./b.js').then((m) => m.b);\n",
      'b.ts':
        "import type { load } from './a.js';\nexport type B = { again?: typeof load };\nexport const b: B = {};\n",
    });
    const src = join(dir, 'packages', 'demo', 'src');
    expect(findImportCycles(dir).cycles).toEqual([[join(src, 'a.ts'), join(src, 'b.ts')]]);
  });

  it('fails on a cycle through a `typeof import()` type and a package entry point', () => {
    const dir = repo({
      'index.ts': "export type { Api } from './api.js';\n",
      'api.ts': "export type Api = typeof import('@demo/demo');\n",
    });
    const src = join(dir, 'packages', 'demo', 'src');
    expect(findImportCycles(dir).cycles).toEqual([[join(src, 'api.ts'), join(src, 'index.ts')]]);
  });
});
