import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { provenanceOf } from './provenance.js';
import type { TargetRecord } from './schema/bundle-schema.js';

const target = (): TargetRecord => {
  const t = structuredClone(buildPromotionBundle().targets[0]);
  if (!t?.pipeline || !t.enumeration) throw new Error('fixture');
  return t;
};

describe('provenanceOf', () => {
  it('E2: observed (with a downstream) beats reported beats sent; none without a pipeline', () => {
    const t = target();
    const p = t.pipeline as NonNullable<TargetRecord['pipeline']>;
    const observed = {
      jobs: ['deploy'],
      deployFingerprint: ['deploy'],
      cutOffFingerprint: ['cut'],
      apiUrl: p.webUrl,
      observedAt: p.observedAt,
    };
    const downstream = { project: t.project, pipelineId: 9, ref: 'release', via: 'bridge' as const };
    expect(provenanceOf({ ...t, pipeline: { ...p, observed: { ...observed, downstream } } }).E2).toBe('observed');
    // Jobs read but no downstream reached: not observed.
    const noDown = { ...p, inputs: {}, variables: [], observed: { ...observed, downstream: null } };
    expect(provenanceOf({ ...t, pipeline: { ...noDown, sent: { ref: 'main', inputs: { action: 'x' } } } }).E2).toBe(
      'sent',
    );
    expect(provenanceOf({ ...t, pipeline: { ...p, inputs: { action: 'deploy' }, observed: undefined } }).E2).toBe(
      'reported',
    );
    expect(provenanceOf({ ...t, pipeline: undefined }).E2).toBe('none');
  });

  it('E3: observed only when every window pipeline was classified by its jobs', () => {
    const t = target();
    const e = t.enumeration as NonNullable<TargetRecord['enumeration']>;
    const one = { id: 1, createdAt: e.windowStart, classification: 'deploy' as const, basis: 'observed' as const };
    expect(provenanceOf({ ...t, enumeration: { ...e, pipelines: [one] } }).E3).toBe('observed');
    expect(
      provenanceOf({ ...t, enumeration: { ...e, pipelines: [one, { ...one, id: 2, basis: 'reported' }] } }).E3,
    ).toBe('reported');
    const unreadable = { ...one, id: 3, classification: 'unreadable' as const, reason: 'HTTP 403' };
    expect(provenanceOf({ ...t, enumeration: { ...e, pipelines: [one, unreadable] } }).E3).toBe('unreadable');
    expect(provenanceOf({ ...t, enumeration: { ...e, pipelines: undefined } }).E3).toBe('unclassified');
    expect(provenanceOf({ ...t, enumeration: undefined }).E3).toBe('none');
  });
});
