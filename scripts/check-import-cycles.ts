// Fails when any module in packages/ takes part in an import cycle, counting type-only and
// dynamic imports (see import-cycles.ts). Run by `pnpm run check` as `pnpm run check:cycles`.
import { join, relative, resolve } from 'node:path';
import { findImportCycles } from './import-cycles.js';

const root = resolve(join(import.meta.dirname, '..'));
const { modules, cycles } = findImportCycles(root);
for (const scc of cycles) {
  console.error(`import cycle through ${scc.length} module(s):`);
  for (const file of scc) console.error(`  ${relative(root, file)}`);
}
console.log(`${modules} modules checked, ${cycles.length} import cycle(s)`);
process.exit(cycles.length > 0 ? 1 : 0);
