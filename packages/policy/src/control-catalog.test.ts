import { isRunbookId } from '@hotfix-release/evidence';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CONTROL_CATALOG, CONTROL_IDS, type ControlId, controlDefinition, isControlId } from './control-catalog.js';

describe('CONTROL_CATALOG', () => {
  it('has one control per completion criterion E1–E8 plus integrity and ordering controls, ids unique', () => {
    const ids = CONTROL_CATALOG.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8'] as const)
      expect(controlDefinition(e).runbookRef).toBe(e);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bundle-schema',
        'bundle-digest',
        'bundle-signature',
        'bundle-subject',
        'step-order',
        'evidence-freshness',
      ]),
    );
  });

  it('lists every dependency before its dependent and cites real runbook IDs', () => {
    CONTROL_CATALOG.forEach((c, i) => {
      for (const d of c.dependencies) expect(CONTROL_CATALOG.findIndex((x) => x.id === d)).toBeLessThan(i);
      for (const ref of c.runbookRef.split('–')) expect(isRunbookId(ref)).toBe(true);
      expect(c.remediation).toMatch(/[SDREP]\d/);
    });
  });

  it('applies E8 only to governed work and never lets E1–E5 or integrity be waived', () => {
    expect(controlDefinition('E8').appliesWhen).toBe('governed');
    for (const c of CONTROL_CATALOG)
      if (c.kind === 'integrity' || ['E1', 'E2', 'E3', 'E4', 'E5'].includes(c.id)) expect(c.waivable).toBe(false);
    expect(isControlId('E3')).toBe(true);
    expect(isControlId('e3')).toBe(false);
  });

  it('holds exactly CONTROL_IDS, in that order, and every id looks up its own definition', () => {
    expectTypeOf<(typeof CONTROL_CATALOG)[number]['id']>().toEqualTypeOf<ControlId>();
    expect(CONTROL_CATALOG.map((c) => c.id)).toEqual([...CONTROL_IDS]);
    for (const id of CONTROL_IDS) expect(controlDefinition(id).id).toBe(id);
  });
});
