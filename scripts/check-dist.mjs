// After `pnpm run build`: every library entry point's dist/ must load from a plain Node 20 ESM
// script and from a CJS script (no source condition, no TypeScript loader), and ship its
// type declarations for both. Run by `pnpm run check` right after the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// [package, entry file in dist/] for every entry point in a package.json `exports` map.
const entries = [
  ['evidence', 'index'],
  ['sdk', 'index'],
  ['sdk/gitlab', 'gitlab'],
  ['sdk/lock', 'lock'],
  ['policy', 'index'],
  ['gitlab-sim', 'index'],
  ['cli', 'index'],
];
let failed = 0;
for (const [name, entry] of entries) {
  const spec = `@hotfix-release/${name}`;
  const pkg = name.split('/')[0];
  const dir = pkg === 'cli' ? 'cli-lite' : pkg;
  for (const file of [`${entry}.js`, `${entry}.cjs`, `${entry}.d.ts`, `${entry}.d.cts`]) {
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
