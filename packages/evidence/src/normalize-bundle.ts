/**
 * Older majors of the evidence bundle, read into today's shape in ONE place. A 1.x or 2.x bundle has
 * one `hotfix` and target records that do not name it; schema 3.0.0 (issue 24) has `hotfixes` and
 * every target names its hotfix. Everything downstream (policy, report, status, rollback) reads only
 * the 3.x shape.
 */
import { z } from 'zod';
import {
  bundleHeaderShape,
  bundleTrailerShape,
  type Hotfix,
  hotfixRef,
  hotfixSchema,
  type PromotionBundle,
  type TargetRecord,
  targetRecordSchema,
} from './schema/bundle-schema.js';

/** The 2.x bundle (also every 1.x one): one `hotfix`, targets without a `hotfix` reference. Internal. */
export const legacyBundleSchema = z.object({
  schemaVersion: z.string().regex(/^[12]\.\d+\.\d+$/, 'expected a 2.x.y (or 1.x.y) schema version'),
  ...bundleHeaderShape,
  hotfix: hotfixSchema,
  targets: z
    .array(targetRecordSchema.omit({ hotfix: true }))
    .min(1)
    .max(50),
  ...bundleTrailerShape,
});

/** A 1.x or 2.x bundle as written: one `hotfix`, target records that do not name it. */
export type LegacyBundle = Omit<PromotionBundle, 'hotfixes' | 'targets'> & {
  readonly hotfix: Hotfix;
  readonly targets: Omit<TargetRecord, 'hotfix'>[];
};

/**
 * Normalizes a validated 1.x/2.x bundle to the 3.x shape: its hotfix becomes `hotfixes[0]` and every target
 * names it. `schemaVersion` and `digest` stay as written (the digest covers the bundle as written, and
 * `bundle-digest` checks it on the raw input). A 3.x bundle is returned as it is.
 *
 * @example
 * ```ts
 * const b = normalizeBundle(legacy);
 * console.log(b.hotfixes[0]?.mr.iid, b.targets[0]?.hotfix);
 * ```
 * @see D4
 */
export function normalizeBundle(bundle: PromotionBundle | LegacyBundle): PromotionBundle {
  if (!('hotfix' in bundle)) return bundle;
  const { hotfix, targets, ...rest } = bundle;
  const ref = hotfixRef(hotfix.mr);
  return { ...rest, hotfixes: [hotfix], targets: targets.map((t) => ({ ...t, hotfix: ref })) };
}
