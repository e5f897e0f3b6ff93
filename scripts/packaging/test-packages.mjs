// `pnpm test:packages`: proves every package installs and works from its tarball, as a user gets it.
// 1. `pnpm pack` each package (its prepack builds it); no `workspace:` range may survive in a tarball.
// 2. publint and Are the types wrong? (attw) on each tarball.
// 3. npm installs all tarballs into an empty project in a temporary folder outside the workspace, and there:
//    `hotfix --help` and `--version`; every library imported from ESM and from CommonJS (same export names);
//    a consumer file type-checked under moduleResolution node16 (ESM and CJS) and bundler; and the example
//    examples/promote-one-mr.ts, compiled against the installed types, run against the simulator installed
//    from its tarball.
// Needs the npm registry for the packages' own dependencies. Exits non-zero on the first failed step.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const PACKAGES = [
  { dir: 'evidence', name: '@hotfix-release/evidence', library: true },
  { dir: 'sdk', name: '@hotfix-release/sdk', library: true },
  { dir: 'policy', name: '@hotfix-release/policy', library: true },
  { dir: 'gitlab-sim', name: '@hotfix-release/gitlab-sim', library: true },
  { dir: 'cli-lite', name: '@hotfix-release/cli', library: true },
];
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'hotfix-packages-'));
const tarballs = join(work, 'tarballs');
const consumer = join(work, 'consumer');
mkdirSync(tarballs);
mkdirSync(consumer);
let checks = 0;

function run(label, cmd, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`✗ ${label} (exit ${r.status ?? r.signal}, ${seconds}s)\n${r.stdout ?? ''}${r.stderr ?? ''}`);
    finish(1);
  }
  checks++;
  console.log(`✓ ${label} (${seconds}s)`);
  return r.stdout;
}

function fail(label, detail) {
  console.error(`✗ ${label}\n${detail}`);
  finish(1);
}

function finish(code) {
  if (keep) console.log(`scratch project kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`test:packages: ${checks} checks passed${code ? ', 1 failed' : ''}`);
  process.exit(code);
}

const installedVersion = (name) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

// 1. Pack (prepack builds), and read each packed manifest back.
const manifests = new Map();
for (const p of PACKAGES) {
  const before = new Set(readdirSync(tarballs));
  run(`pnpm pack ${p.name}`, 'pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', p.dir) });
  const file = readdirSync(tarballs).find((f) => !before.has(f) && f.endsWith('.tgz'));
  if (!file) fail(`pnpm pack ${p.name}`, 'no tarball was written');
  p.tarball = join(tarballs, file);
  const manifest = run(`read ${file}`, 'tar', ['-xzOf', p.tarball, 'package/package.json']);
  if (manifest.includes('workspace:')) fail(`${file}`, 'package.json still has a workspace: range');
  manifests.set(p.name, JSON.parse(manifest));
  const listing = run(`list ${file}`, 'tar', ['-tzf', p.tarball]).split('\n');
  for (const required of ['package/LICENSE', 'package/README.md', 'package/CHANGELOG.md', 'package/dist/index.js']) {
    if (!listing.includes(required)) fail(`${file}`, `${required} is not in the tarball`);
  }
}

// 2. publint and attw on the tarballs themselves.
for (const p of PACKAGES) {
  run(`publint ${p.name}`, 'pnpm', ['exec', 'publint', 'run', p.tarball, '--strict'], { cwd: root });
  // The node16 profile: node16 (CJS and ESM) and bundler resolution. The packages need Node >= 20.19 and
  // publish subpaths (`@hotfix-release/sdk/gitlab`) through `exports`, which TypeScript's legacy
  // `moduleResolution: node` (node10) cannot see by design.
  run(`attw ${p.name}`, 'pnpm', ['exec', 'attw', p.tarball, '--profile', 'node16', '--format', 'table-flipped'], {
    cwd: root,
  });
}

// 3. A scratch project outside the workspace, installed by npm from the tarballs and the registry.
writeFileSync(
  join(consumer, 'package.json'),
  `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`,
);
run(
  'npm install the tarballs',
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...PACKAGES.map((p) => p.tarball),
    `typescript@${installedVersion('typescript')}`,
    `@types/node@${installedVersion('@types/node')}`,
  ],
  { cwd: consumer },
);

const bin = (name) => join(consumer, 'node_modules', '.bin', name);
const help = run('hotfix --help', bin('hotfix'), ['--help'], { cwd: consumer });
if (!/promote/.test(help)) fail('hotfix --help', `no "promote" in:\n${help}`);
const version = run('hotfix --version', bin('hotfix'), ['--version'], { cwd: consumer }).trim();
if (version !== manifests.get('@hotfix-release/cli').version) {
  fail('hotfix --version', `printed ${version}, package.json says ${manifests.get('@hotfix-release/cli').version}`);
}
run('hotfix-gitlab-sim --help', bin('hotfix-gitlab-sim'), ['--help'], { cwd: consumer });

for (const p of PACKAGES.filter((x) => x.library)) {
  const esm = run(
    `import ${p.name} (ESM)`,
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(p.name)}); console.log(JSON.stringify(Object.keys(m).sort()));`,
    ],
    { cwd: consumer },
  );
  const cjs = run(
    `require ${p.name} (CJS)`,
    process.execPath,
    ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(p.name)})).sort()));`],
    { cwd: consumer },
  );
  const [esmNames, cjsNames] = [JSON.parse(esm), JSON.parse(cjs)];
  if (esmNames.length === 0 || JSON.stringify(esmNames) !== JSON.stringify(cjsNames)) {
    fail(`${p.name} ESM vs CJS`, `ESM: ${esmNames.join(', ')}\nCJS: ${cjsNames.join(', ')}`);
  }
}

// The consumer: names from every package, a type that must hold, and one that must not (so `any` fails).
const consumerSource = `import { CLI_VERSION, run } from '@hotfix-release/cli';
import { parseBundle, RUNBOOK_IDS, type RunbookId } from '@hotfix-release/evidence';
import { type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { EXIT_CODES } from '@hotfix-release/policy';
import { createGitLabClient, describeError } from '@hotfix-release/sdk';

export const first: RunbookId = RUNBOOK_IDS[0];
// @ts-expect-error 'S9' is not a runbook ID: the installed declarations are precise, not any.
export const notAnId: RunbookId = 'S9';
export const ok: number = EXIT_CODES.ok;
export const version: string = CLI_VERSION;
export const exitCode: Promise<number> = run(['--version'], {} as Parameters<typeof run>[1]);
export const parsed: boolean = parseBundle({}).isErr();
export async function start(): Promise<GitLabSim> {
  return startGitLabSim({ scenario: 'demo' });
}
export const client = createGitLabClient({ gitlabUrl: 'https://gitlab.example.com', token: 'x' }).match(
  () => 'ok',
  (e) => describeError(e),
);
`;
writeFileSync(join(consumer, 'consumer.mts'), consumerSource);
writeFileSync(join(consumer, 'consumer.cts'), consumerSource);
writeFileSync(join(consumer, 'consumer.ts'), consumerSource);
const compilerOptions = { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
const tsconfigs = {
  'tsconfig.node16.json': {
    compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' },
    files: ['consumer.mts', 'consumer.cts'],
  },
  'tsconfig.bundler.json': {
    compilerOptions: { ...compilerOptions, module: 'preserve', moduleResolution: 'bundler' },
    files: ['consumer.ts'],
  },
};
for (const [file, config] of Object.entries(tsconfigs)) {
  writeFileSync(join(consumer, file), JSON.stringify(config, null, 2));
  run(`tsc -p ${file}`, bin('tsc'), ['-p', file], { cwd: consumer });
}

// One example, compiled against the installed declarations, run against the installed simulator.
const example = join(consumer, 'example');
mkdirSync(example);
for (const f of ['promote-one-mr.ts', '_run-directly.ts', '_sim-support.ts']) {
  copyFileSync(join(root, 'examples', f), join(example, f));
}
writeFileSync(
  join(consumer, 'tsconfig.example.json'),
  JSON.stringify({
    compilerOptions: {
      ...compilerOptions,
      noEmit: false,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      rootDir: 'example',
      outDir: 'example-out',
    },
    include: ['example/*.ts'],
  }),
);
run('tsc -p tsconfig.example.json', bin('tsc'), ['-p', 'tsconfig.example.json'], { cwd: consumer });
writeFileSync(
  join(consumer, 'run-example.mjs'),
  `import { readFile } from 'node:fs/promises';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { main } from './example-out/promote-one-mr.js';
import { SIM_WAIT, simConfig } from './example-out/_sim-support.js';

const sim = await startGitLabSim({ scenario: 'demo' });
try {
  const mr = demoScenarioInfo.mergeRequests.cleanPick;
  const code = await main({
    gitlabUrl: sim.url,
    token: sim.token,
    config: simConfig(sim, [mr.project]),
    mr,
    evidencePath: 'evidence.json',
    journalPath: 'evidence.journal.json',
    wait: SIM_WAIT,
  });
  const bundle = parseBundle(JSON.parse(await readFile('evidence.json', 'utf8')));
  if (code !== 0 || bundle.isErr()) {
    console.error('example failed: exit', code, bundle.isErr() ? bundle.error : '');
    process.exitCode = 1;
  }
} finally {
  await sim.close();
}
`,
);
run('examples/promote-one-mr.ts against the installed simulator', process.execPath, ['run-example.mjs'], {
  cwd: consumer,
  stdio: ['ignore', 'pipe', 'pipe'],
});
finish(0);
