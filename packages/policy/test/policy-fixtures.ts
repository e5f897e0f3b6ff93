/**
 * Test helpers for the policy: the valid bundle comes from the evidence package's fixture builder
 * (one place to swap for a bundle recorded from a real simulator promotion), sealed and optionally signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type PromotionBundle, sealBundle, signBundle } from '@hotfix-release/evidence';
import {
  buildPromotionBundle,
  FIXTURE_NOW,
  fakeDigest,
  fakeSha,
} from '../../evidence/test/promotion-bundle-fixture.js';
import { type CheckOptions, type CheckReport, checkBundles } from '../src/index.js';

export { buildPromotionBundle, FIXTURE_NOW, fakeDigest, fakeSha };

/** A signing key pair for the signature controls. */
export const keys = generateKeyPairSync('ed25519');
/** The public key as PEM, as a CLI would read it from a file. */
export const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A deep copy (so mutations never leak between tests). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Seals a bundle (sets its digest). */
export function seal(bundle: PromotionBundle): PromotionBundle {
  const r = sealBundle(bundle);
  if (!r.isOk()) throw new Error(r.error.message);
  return r.value;
}

/** Seals and signs a bundle into a DSSE envelope. */
export function signed(bundle: PromotionBundle): unknown {
  const r = signBundle(seal(bundle), { privateKey: keys.privateKey });
  if (!r.isOk()) throw new Error(r.error.message);
  return clone(r.value);
}

/** The gate's policy file for the fixture: its instance, orchestration, release settings, governance and key. */
export const FIXTURE_POLICY = {
  version: 1,
  gitlab: { url: 'https://gitlab.example.com' },
  orchestration: { project: 'evenergi/develop', ref: 'main' },
  release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
  governedProjects: ['fleet/charging-api'],
  signing: { trustedKeys: [{ publicKey: publicKeyPem }] },
} as const;

/** The fixture's MR, as CI would give it (`CI_PROJECT_PATH`, `CI_MERGE_REQUEST_IID`). */
export const FIXTURE_MR = { project: 'fleet/charging-api', iid: 42 } as const;

/** Options under which the fixture passes: the fixture's clock, its policy file (with its key) and its MR. */
export const baseOptions: CheckOptions = {
  now: FIXTURE_NOW,
  policy: FIXTURE_POLICY,
  policyName: 'policy.json',
  expected: { mr: FIXTURE_MR },
  expectedSources: { mr: 'CI_MERGE_REQUEST_IID' },
};

/** Checks one input value and returns the report (throws on a configuration error). */
export async function checkValue(value: unknown, options: CheckOptions = baseOptions): Promise<CheckReport> {
  const r = await checkBundles([{ name: 'evidence.json', value }], options);
  if (r.isErr()) throw new Error(`configuration error: ${r.error.code}`);
  return r.value;
}

/** `id@target` of every result with a status. */
export function withStatus(report: CheckReport, status: string): string[] {
  return report.results.filter((r) => r.status === status).map((r) => (r.target ? `${r.id}@${r.target}` : r.id));
}

/** One target record of a bundle. */
export type Target = PromotionBundle['targets'][number];
/** The fixture's two target projects. */
export const A = 'fleet/charging-api';
export const B = 'fleet/billing-api';

/** A table entry maker: mutates the first target (and/or the bundle), then seals and signs. */
export function mutateTarget(fn: (t: Target, b: PromotionBundle) => void): () => unknown {
  return () => {
    const b = clone(buildPromotionBundle());
    fn(b.targets[0] as Target, b);
    return signed(b);
  };
}

/** `id@target` of every `fail` or `error` result. */
export function failing(report: CheckReport): string[] {
  return [...withStatus(report, 'fail'), ...withStatus(report, 'error')];
}

/**
 * The documented status of each provenance row of `docs/policy-in-ci.md` ("E2 and E3 by provenance"), by the
 * row's name, so the mutation tables and the page cannot drift apart.
 */
export function documentedProvenance(control: 'E2' | 'E3'): Map<string, string> {
  const page = readFileSync(new URL('../../../docs/policy-in-ci.md', import.meta.url), 'utf8');
  const block = new RegExp(`<!-- provenance-table: ${control} -->\\n([\\s\\S]*?)<!-- /provenance-table -->`).exec(
    page,
  )?.[1];
  if (!block) throw new Error(`docs/policy-in-ci.md has no ${control} provenance table`);
  const rows = block
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  return new Map(rows.map((cells) => [cells[1] ?? '', cells[2] ?? '']));
}
