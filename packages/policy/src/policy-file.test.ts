import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  A,
  B,
  baseOptions,
  buildPromotionBundle,
  checkValue,
  clone,
  FIXTURE_POLICY,
  signed,
} from '../test/policy-fixtures.js';
import { parsePolicyFile, policyJsonSchema } from './policy-file.js';

const orchestration = (extra: Record<string, unknown>) => ({
  ...FIXTURE_POLICY,
  orchestration: { ...FIXTURE_POLICY.orchestration, ...extra },
});
const pointers = (input: unknown) => {
  const r = parsePolicyFile(input);
  if (r.isOk()) return [];
  const details = r.error.details as unknown as { issues: { pointer: string }[] };
  return details.issues.map((i) => i.pointer);
};

describe('policy file: the orchestrator profile per service', () => {
  it('accepts a project value map and per-service overrides (input names, project value, either fingerprint)', () => {
    const r = parsePolicyFile(
      orchestration({
        projectValue: { map: { [A]: 'charging', [B]: 'billing' } },
        services: {
          [A]: {
            inputNames: { action: 'what', project: 'service', confirm: 'go' },
            projectValue: 'short-name',
            fingerprints: { cutOff: ['/^cut-/'] },
          },
        },
        acceptUnverified: false,
      }),
    );
    expect(r.isOk()).toBe(true);
  });

  it('refuses unknown fields, bad keys, bad patterns and bad values, naming each field by JSON Pointer', () => {
    expect(pointers(orchestration({ services: { [A]: { fingerprint: { deploy: ['x'] } } } }))).toEqual([
      '/orchestration/services/fleet~1charging-api',
    ]);
    expect(pointers(orchestration({ services: { [A]: { fingerprints: { cutOff: ['/(/'] } } } }))).toEqual([
      '/orchestration/services/fleet~1charging-api/fingerprints/cutOff/0',
    ]);
    expect(pointers(orchestration({ services: { 'not a path': {} } }))).toEqual(['/orchestration/services/not a path']);
    expect(pointers(orchestration({ projectValue: { map: { [A]: '' } } }))).toEqual([
      '/orchestration/projectValue/map/fleet~1charging-api',
    ]);
    expect(pointers(orchestration({ projectValue: 'short' }))).toEqual(['/orchestration/projectValue']);
  });

  it('reads the example of docs/policy-in-ci.md ("The orchestrator, per service")', () => {
    const page = readFileSync(new URL('../../../docs/policy-in-ci.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('### The orchestrator, per service'));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(json).toContain('"services"');
    expect(parsePolicyFile(json).isOk()).toBe(true);
  });

  it('publishes services and the project value map in its JSON Schema', () => {
    const text = JSON.stringify(policyJsonSchema());
    expect(text).toContain('"services"');
    expect(text).toContain('"map"');
  });
});

describe('policy file: the merge requests the gate expects (expected.mrs, D4)', () => {
  const withMrs = (mrs: unknown) => ({ ...FIXTURE_POLICY, expected: { mrs } });

  it('accepts a list of group/project!iid and reads it as given', () => {
    const r = parsePolicyFile(withMrs([`${A}!42`, `${B}!7`, 'group/sub/project!1']));
    expect(r._unsafeUnwrap().expected?.mrs).toEqual([`${A}!42`, `${B}!7`, 'group/sub/project!1']);
    expect(parsePolicyFile({ ...FIXTURE_POLICY, expected: {} }).isOk()).toBe(true);
  });

  it('refuses a merge request named twice, naming the second by JSON Pointer and the first in the message', () => {
    const r = parsePolicyFile(withMrs([`${A}!42`, `${B}!7`, `${A}!42`]));
    const issues = (r._unsafeUnwrapErr().details as unknown as { issues: { pointer: string; message: string }[] })
      .issues;
    expect(issues).toEqual([{ pointer: '/expected/mrs/2', message: expect.stringMatching(/\/expected\/mrs\/0/) }]);
    // The same MR however its path is cased (GitLab finds paths case-insensitively).
    expect(pointers(withMrs([`${A}!42`, `${A.toUpperCase()}!42`]))).toEqual(['/expected/mrs/1']);
  });

  it('refuses a bad reference, an empty or over-long list, and unknown fields, naming each field', () => {
    expect(pointers(withMrs([`${A}!42`, `${B}#7`]))).toEqual(['/expected/mrs/1']);
    expect(pointers(withMrs([`${A}!0`]))).toEqual(['/expected/mrs/0']);
    expect(pointers(withMrs(['charging-api!42']))).toEqual(['/expected/mrs/0']);
    expect(pointers(withMrs([]))).toEqual(['/expected/mrs']);
    expect(pointers(withMrs(Array.from({ length: 51 }, (_, i) => `${A}!${i + 1}`)))).toEqual(['/expected/mrs']);
    expect(pointers(withMrs(Array.from({ length: 50 }, (_, i) => `${A}!${i + 1}`)))).toEqual([]);
    expect(pointers({ ...FIXTURE_POLICY, expected: { mr: `${A}!42` } })).toEqual(['/expected']);
    expect(pointers(withMrs(`${A}!42`))).toEqual(['/expected/mrs']);
  });

  it('publishes expected.mrs in its JSON Schema', () => {
    expect(JSON.stringify(policyJsonSchema())).toContain('"mrs"');
  });
});

describe('E2/E3 resolve the gate’s expectations per target', () => {
  it('a map value the bundle does not hold fails that target; a map without a target is an error for it (exit 2)', async () => {
    const policy = orchestration({ projectValue: { map: { [A]: 'charging' } } });
    const r = await checkValue(signed(clone(buildPromotionBundle())), { ...baseOptions, policy });
    const e2 = (t: string) => r.results.find((x) => x.id === 'E2' && x.target === t);
    expect(e2(A)).toMatchObject({ status: 'fail', expected: 'charging', actual: A });
    expect(e2(B)).toMatchObject({ status: 'error', message: expect.stringMatching(/no entry for it/) });
    expect(r.exitCode).toBe(2);
  });

  it('a service override applies to its target only', async () => {
    const policy = orchestration({ services: { [B]: { fingerprints: { deploy: ['deploy-something-else'] } } } });
    const r = await checkValue(signed(clone(buildPromotionBundle())), { ...baseOptions, policy });
    expect(r.results.find((x) => x.id === 'E2' && x.target === A)?.status).toBe('pass');
    expect(r.results.find((x) => x.id === 'E2' && x.target === B)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/do not match the deploy fingerprint \(deploy-something-else\)/),
    });
  });
});
