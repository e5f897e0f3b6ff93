/**
 * `pnpm bench policy`: the policy check's throughput and cold start, each against a baseline measured in
 * the same run.
 *
 * - throughput: `checkBundles` over 10,000 sealed bundles vs ajv (+ ajv-formats) validating the same
 *   bundles against the exported JSON Schema (schema validation only, no controls).
 * - cold start: `node -e` importing the built policy dist and checking one bundle file vs bare `node -e 0`.
 *
 * Flags: `--bundles N` (default 10000), `--spawns N` (default 15), `--no-build` (reuse existing dist).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evidenceJsonSchema, type PromotionBundle, sealBundle } from '@hotfix-release/evidence';
import { checkBundles } from '@hotfix-release/policy';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildPromotionBundle, FIXTURE_NOW } from '../packages/evidence/test/promotion-bundle-fixture.js';
import type { Benchmark } from './registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The gate's expectations for the fixture bundles (its own policy file and MR, as CI would give them). */
const GATE = {
  now: FIXTURE_NOW,
  policy: {
    version: 1,
    gitlab: { url: 'https://gitlab.example.com' },
    orchestration: { project: 'evenergi/develop', ref: 'main' },
    release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
    governedProjects: ['fleet/charging-api'],
  },
  expected: { mr: { project: 'fleet/charging-api', iid: 42 } },
};

function makeBundles(n: number): PromotionBundle[] {
  const base = buildPromotionBundle();
  return Array.from({ length: n }, (_, i) => {
    const sealed = sealBundle({ ...base, operator: { username: `oncall-${i}`, id: i + 1 } });
    if (!sealed.isOk()) throw new Error(sealed.error.message);
    return JSON.parse(JSON.stringify(sealed.value)) as PromotionBundle;
  });
}

function spawnMs(args: string[], runs: number): { ms: number; status: number | null } {
  const times: number[] = [];
  let status: number | null = null;
  spawnSync(process.execPath, args, { stdio: 'ignore' }); // warm the file-system cache once
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(performance.now() - t0);
    status = r.status;
  }
  return { ms: median(times), status };
}

const round = (x: number) => Math.round(x * 100) / 100;

export const policyBenchmark: Benchmark = {
  description: 'policy: checkBundles throughput vs ajv on the JSON Schema; cold start vs bare node',
  async run(args) {
    const n = flag(args, '--bundles', 10_000);
    const spawns = flag(args, '--spawns', 15);
    if (!args.includes('--no-build')) {
      execFileSync(
        'pnpm',
        ['--filter', '@hotfix-release/evidence', '--filter', '@hotfix-release/policy', 'run', 'build'],
        { cwd: root, stdio: 'ignore' },
      );
    }
    const bundles = makeBundles(n);

    const ajv = new Ajv2020.default({ strict: false, allErrors: false });
    addFormats.default(ajv);
    const validate = ajv.compile(evidenceJsonSchema());
    const a0 = performance.now();
    let ajvValid = 0;
    for (const b of bundles) if (validate(b)) ajvValid += 1;
    const ajvMs = performance.now() - a0;

    const p0 = performance.now();
    const checked = await checkBundles(
      bundles.map((value, i) => ({ name: `b${i}`, value })),
      GATE,
    );
    const policyMs = performance.now() - p0;
    if (checked.isErr() || checked.value.exitCode !== 0 || ajvValid !== n) {
      throw new Error(
        `bench bundles did not all pass (policy ${checked.isOk() ? checked.value.status : 'config error'}, ajv ${ajvValid}/${n})`,
      );
    }

    const dir = mkdtempSync(join(tmpdir(), 'bench-policy-'));
    const file = join(dir, 'evidence.json');
    writeFileSync(file, JSON.stringify(bundles[0]));
    const dist = new URL('../packages/policy/dist/index.js', import.meta.url).href;
    const script = `import(${JSON.stringify(dist)}).then(async (m) => { const text = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'); const r = await m.checkBundles([{ name: 'evidence.json', text }], ${JSON.stringify(GATE)}); process.exitCode = r.isOk() ? r.value.exitCode : 3; })`;
    const bare = spawnMs(['-e', '0'], spawns);
    const cold = spawnMs(['-e', script], spawns);
    if (cold.status !== 0) throw new Error(`cold-start check exited ${cold.status}`);

    const rows = [
      {
        measure: `check ${n} bundles`,
        subject: 'policy checkBundles (all controls)',
        ms: round(policyMs),
        perBundleUs: round((policyMs * 1000) / n),
        baseline: 'ajv JSON Schema validation',
        baselineMs: round(ajvMs),
        ratio: round(policyMs / ajvMs),
      },
      {
        measure: 'cold start',
        subject: 'node -e import(policy dist) + check 1 bundle',
        ms: round(cold.ms),
        perBundleUs: null,
        baseline: 'node -e 0',
        baselineMs: round(bare.ms),
        ratio: round(cold.ms / bare.ms),
      },
    ];
    return { rows, bundles: n, spawns, overheadColdStartMs: round(cold.ms - bare.ms) };
  },
};
