import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { demoCiFiles } from '../scenarios/demo-ci.js';
import { planPipeline } from './config.js';
import { ExpressionError, evaluateExpression } from './expression.js';

/** Bad input never crashes the CI reader: it returns a plan or GitLab-style errors. */
describe('CI configuration robustness', () => {
  it('planPipeline returns a plan or errors for arbitrary YAML and inputs, never throws', () => {
    const value = fc.anything({ maxDepth: 4, withNullPrototype: false });
    fc.assert(
      fc.property(value, fc.dictionary(fc.string(), fc.jsonValue()), (doc, inputs) => {
        const r = planPipeline(stringify(doc), inputs, {}, {});
        expect('errors' in r ? r.errors.every((e) => typeof e === 'string') : Array.isArray(r.jobs)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text and arbitrary inputs against the orchestrator never crash either', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (text, inputs) => {
        expect(() => planPipeline(text, {}, {}, {})).not.toThrow();
        expect(() => planPipeline(demoCiFiles().orchestrator, inputs, {}, {})).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('evaluateExpression returns a boolean or throws ExpressionError only', () => {
    const token = fc.constantFrom(
      '$A',
      '$B',
      '"x"',
      "'y'",
      'null',
      '/x/',
      '==',
      '!=',
      '=~',
      '!~',
      '&&',
      '||',
      '(',
      ')',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 9 }), fc.string(), (tokens, noise) => {
        for (const src of [tokens.join(' '), noise]) {
          try {
            expect(typeof evaluateExpression(src, { A: 'x', B: '' })).toBe('boolean');
          } catch (err) {
            expect(err).toBeInstanceOf(ExpressionError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
