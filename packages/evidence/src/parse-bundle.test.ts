import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildLegacyBundle, buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { evidenceJsonSchema } from './evidence-json-schema.js';
import { parseBundle } from './parse-bundle.js';

describe(parseBundle.name, () => {
  it('accepts the realistic two-target fixture', () => {
    const r = parseBundle(JSON.parse(JSON.stringify(buildPromotionBundle())));
    expect(r.isOk()).toBe(true);
  });

  it('returns invalid-bundle naming the JSON Pointer of each wrong field', () => {
    const b = JSON.parse(JSON.stringify(buildPromotionBundle()));
    b.targets[0].pipeline.id = 'five';
    b.targets[1].smokeChecks[0].startedAt = '2026-11-30T01:05:10+01:00';
    const r = parseBundle(b);
    expect(r.isOk()).toBe(false);
    if (r.isOk()) return;
    expect(r.error.code).toBe('invalid-bundle');
    const pointers = r.error.code === 'invalid-bundle' ? r.error.details.issues.map((i) => i.pointer) : [];
    expect(pointers).toEqual(['/targets/0/pipeline/id', '/targets/1/smokeChecks/0/startedAt']);
  });

  it('returns unsupported-schema-version for a major it does not read and accepts a later minor', () => {
    for (const schemaVersion of ['4.0.0', '0.9.0']) {
      const r = parseBundle({ ...buildPromotionBundle(), schemaVersion });
      expect(!r.isOk() && r.error.code).toBe('unsupported-schema-version');
    }
    expect(parseBundle({ ...buildPromotionBundle(), schemaVersion: '3.7.0', addedInMinor: { x: 1 } }).isOk()).toBe(
      true,
    );
  });

  it('reads a bundle of the previous majors (2.x, 1.x) and normalizes it to the 3.x shape in one place', () => {
    for (const version of ['2.0.0', '2.3.1', '1.0.0']) {
      const legacy = buildLegacyBundle({}, version);
      const r = parseBundle(legacy);
      if (!r.isOk()) throw new Error(JSON.stringify(r.error));
      expect(r.value.schemaVersion).toBe(version);
      expect(r.value.hotfixes).toEqual([legacy.hotfix]);
      expect(r.value.targets.map((t) => t.hotfix)).toEqual(['fleet/charging-api!42', 'fleet/charging-api!42']);
    }
    // A 2.x bundle in the 3.x shape (or a 3.x one in the 2.x shape) is neither.
    expect(parseBundle({ ...buildPromotionBundle(), schemaVersion: '2.0.0' }).isOk()).toBe(false);
    expect(parseBundle({ ...buildLegacyBundle(), schemaVersion: '3.0.0' }).isOk()).toBe(false);
  });

  it('reads a 3.x bundle of several merge requests, and refuses a target naming no hotfix or a hotfix twice', () => {
    const b = JSON.parse(JSON.stringify(buildPromotionBundle({ split: true })));
    const r = parseBundle(b);
    expect(r.isOk() && r.value.targets.map((t) => t.hotfix)).toEqual(['fleet/charging-api!42', 'fleet/billing-api!42']);
    const stray = JSON.parse(JSON.stringify(b));
    stray.targets[1].hotfix = 'fleet/other!9';
    const twice = JSON.parse(JSON.stringify(b));
    twice.hotfixes[1] = twice.hotfixes[0];
    twice.targets[1].hotfix = twice.targets[0].hotfix;
    const pointers = (v: unknown) => {
      const x = parseBundle(v);
      return !x.isOk() && x.error.code === 'invalid-bundle' ? x.error.details.issues.map((i) => i.pointer) : [];
    };
    expect(pointers(stray)).toEqual(['/targets/1/hotfix']);
    expect(pointers(twice)).toEqual(['/hotfixes/1/mr']);
    // One MR and one project however the path is cased: GitLab's full paths are case-insensitive.
    const cased = JSON.parse(JSON.stringify(b));
    cased.hotfixes[1].mr = { ...cased.hotfixes[0].mr, project: 'Fleet/Charging-API' };
    cased.targets[1] = { ...cased.targets[1], project: 'FLEET/charging-api', hotfix: 'Fleet/Charging-API!42' };
    expect(pointers(cased)).toEqual(['/hotfixes/1/mr', '/targets/1/project']);
  });

  it('records a time GitLab did not report as absent with the reason, and refuses an absence without one', () => {
    const b = buildPromotionBundle();
    const absent = { absent: true, reason: 'GitLab reported no merged_at for the merge request' };
    const h = b.hotfixes[0];
    if (!h) throw new Error('fixture');
    const withAbsent = { ...b, hotfixes: [{ ...h, mr: { ...h.mr, mergedAt: absent } }] };
    const r = parseBundle(withAbsent);
    expect(r.isOk() && r.value.hotfixes[0]?.mr.mergedAt).toEqual(absent);
    const noReason = { ...b, hotfixes: [{ ...h, mr: { ...h.mr, mergedAt: { absent: true } } }] };
    const bad = parseBundle(noReason);
    expect(!bad.isOk() && bad.error.code).toBe('invalid-bundle');
  });

  it('returns invalid-bundle when a URL carries credentials or a token parameter', () => {
    const withUser = parseBundle({ ...buildPromotionBundle(), gitlabUrl: 'https://oauth2:secret@gitlab.example.com' });
    const withToken = parseBundle({
      ...buildPromotionBundle(),
      gitlabUrl: 'https://gitlab.example.com/?private_token=x',
    });
    expect(!withUser.isOk() && withUser.error.code).toBe('invalid-bundle');
    expect(!withToken.isOk() && withToken.error.code).toBe('invalid-bundle');
  });

  it('returns invalid-bundle for non-objects without throwing', () => {
    for (const v of [null, 1, 'x', [], undefined, { targets: 'x' }]) expect(parseBundle(v).isOk()).toBe(false);
  });
});

describe(evidenceJsonSchema.name, () => {
  it('is a draft 2020-12 schema that ajv compiles and that agrees with zod on the fixture', () => {
    const schema = evidenceJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(JSON.stringify(buildPromotionBundle())))).toBe(true);
    const bad = JSON.parse(JSON.stringify(buildPromotionBundle()));
    bad.targets[0].outcome = 'done';
    expect(validate(bad)).toBe(false);
  });
});
