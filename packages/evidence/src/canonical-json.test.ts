import fc from 'fast-check';
import { ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { bundleDigest, sealBundle } from './bundle-digest.js';
import { canonicalJson, contentDigest } from './canonical-json.js';

describe(canonicalJson.name, () => {
  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, '\u20ac': 1, '\r': 2 })).toEqual(
      ok('{"\\r":2,"a":{"c":"x","d":[true,null]},"b":1,"\u20ac":1}'),
    );
  });

  it('formats numbers as ECMAScript does (RFC 8785 sample)', () => {
    const r = canonicalJson({
      numbers: [JSON.parse('333333333.33333329') as number, 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0],
    });
    expect(r).toEqual(ok('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}'));
  });

  it('returns not-canonicalizable naming the pointer for non-finite numbers and other non-JSON values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [{ a: [1, Number.NaN] }, '/a/1'],
      [{ x: { y: Number.POSITIVE_INFINITY } }, '/x/y'],
      [{ big: 1n }, '/big'],
      [{ f: () => 1 }, '/f'],
      [[undefined], '/0'],
      [cyclic, '/self'],
      [{ s: 'a\uD800b' }, '/s'],
    ];
    for (const [value, pointer] of cases) {
      const r = canonicalJson(value);
      expect(r.isOk() ? 'ok' : r.error).toMatchObject({ code: 'not-canonicalizable', details: { pointer } });
    }
  });

  it('round-trips any JSON value and ignores key order (property, seeded)', () => {
    const shuffle = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shuffle);
      if (typeof v === 'object' && v !== null) {
        return Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, shuffle(x)]),
        );
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const text = canonicalJson(v);
        if (!text.isOk()) return false;
        expect(JSON.parse(text.value)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(text.value).not.toMatch(/^\s|\s$/);
        expect(canonicalJson(shuffle(v))).toEqual(text);
        return true;
      }),
      { seed: 8785, numRuns: 500 },
    );
    expect(canonicalJson(['"\\\u0001\u2028😀'])).toEqual(ok(JSON.stringify(['"\\\u0001\u2028😀'])));
  });

  it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(canonicalJson(deep).isOk()).toBe(false);
  });
});

describe(contentDigest.name, () => {
  it('does not depend on key order', () => {
    const a = contentDigest({ a: 1, b: [1, 2] });
    const b = contentDigest({ b: [1, 2], a: 1 });
    expect(a).toEqual(b);
    expect(a.isOk() && a.value).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe(sealBundle.name, () => {
  it('sets a digest that bundleDigest reproduces and that any change breaks', () => {
    const sealed = sealBundle(buildPromotionBundle());
    if (!sealed.isOk()) throw new Error('seal failed');
    expect(bundleDigest(JSON.parse(JSON.stringify(sealed.value)))).toEqual(ok(sealed.value.digest));
    const changed = { ...sealed.value, operator: { username: 'mallory' } };
    expect(bundleDigest(changed)).not.toEqual(ok(sealed.value.digest));
  });

  it('returns secret-detected for a bundle carrying a token', () => {
    const leaky = { ...buildPromotionBundle(), tool: { name: 'hotfix', version: 'glpat-0123456789abcdefghij' } };
    expect(sealBundle(leaky)).toMatchObject({
      error: { code: 'secret-detected', details: { pointers: ['/tool/version'] } },
    });
  });
});
