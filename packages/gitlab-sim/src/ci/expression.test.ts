import { describe, expect, it } from 'vitest';
import { ExpressionError, evaluateExpression } from './expression.js';

describe(evaluateExpression.name, () => {
  const vars = { CI_COMMIT_BRANCH: 'release', EMPTY: '', ACTION: 'deploy-release-branch-to-staging' };

  it('compares variables and strings with == and !=', () => {
    expect(evaluateExpression('$CI_COMMIT_BRANCH == "release"', vars)).toBe(true);
    expect(evaluateExpression("$CI_COMMIT_BRANCH != 'release'", vars)).toBe(false);
    expect(evaluateExpression('"a" == "a"', vars)).toBe(true);
    expect(evaluateExpression(`\${CI_COMMIT_BRANCH} == "release"`, vars)).toBe(true);
  });

  it('treats undefined variables as null and empty ones as false', () => {
    expect(evaluateExpression('$NOPE == null', vars)).toBe(true);
    expect(evaluateExpression('$EMPTY == null', vars)).toBe(false);
    expect(evaluateExpression('$EMPTY', vars)).toBe(false);
    expect(evaluateExpression('$CI_COMMIT_BRANCH', vars)).toBe(true);
    expect(evaluateExpression('$NOPE', vars)).toBe(false);
  });

  it('combines with && and || and parentheses (&& binds tighter)', () => {
    expect(evaluateExpression('$NOPE || $CI_COMMIT_BRANCH == "release" && $ACTION', vars)).toBe(true);
    expect(evaluateExpression('($NOPE || $CI_COMMIT_BRANCH == "main") && $ACTION', vars)).toBe(false);
    expect(evaluateExpression('"x" == "y" || "1" == "1"', vars)).toBe(true);
  });

  it('matches patterns with =~ and !~', () => {
    expect(evaluateExpression('$ACTION =~ /^deploy-/', vars)).toBe(true);
    expect(evaluateExpression('$ACTION !~ /^DEPLOY/i', vars)).toBe(false);
  });

  it('throws ExpressionError for what GitLab calls invalid expression syntax', () => {
    for (const bad of ['true == true', '$A ==', '("a" == "a"', '"unterminated', '$A = "b"']) {
      expect(() => evaluateExpression(bad, vars), bad).toThrow(ExpressionError);
    }
  });
});
