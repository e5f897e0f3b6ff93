// After `pnpm run build`: every library package's dist/ must load from a plain Node 20 ESM
// script and from a CJS script (no source condition, no TypeScript loader), and ship its
// type declarations for both. Run by `pnpm run check` right after the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const packages = ['evidence', 'sdk', 'policy', 'gitlab-sim', 'cli'];
let failed = 0;
for (const name of packages) {
  const spec = `@hotfix-release/${name}`;
  const dir = name === 'cli' ? 'cli-lite' : name;
  for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
    if (!existsSync(`packages/${dir}/dist/${file}`)) {
      console.error(`${spec}: dist/${file} is missing`);
      failed++;
    }
  }
  const esm = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import('${spec}'); if (Object.keys(m).length === 0) process.exit(3);`,
    ],
    { encoding: 'utf8' },
  );
  const cjs = spawnSync(
    process.execPath,
    ['-e', `const m = require('${spec}'); if (Object.keys(m).length === 0) process.exit(3);`],
    { encoding: 'utf8' },
  );
  for (const [kind, r] of [
    ['ESM import', esm],
    ['CJS require', cjs],
  ]) {
    if (r.status !== 0) {
      console.error(`${spec}: ${kind} failed (exit ${r.status})\n${r.stderr}`);
      failed++;
    }
  }
  if (esm.status === 0 && cjs.status === 0) console.log(`${spec}: ESM import and CJS require of dist/ work`);
}
process.exit(failed ? 1 : 0);
