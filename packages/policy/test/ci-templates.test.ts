/**
 * The CI templates (templates/*.gitlab-ci.yml) and the template YAML in docs/policy-in-ci.md against
 * GitLab's own CI JSON Schema (fixtures/gitlab/ci-schema/ci.json, see its SOURCE.md). A template is
 * checked as GitLab reads it: the `spec:` header as one document; the body after interpolating the
 * inputs as text (as GitLab does), then parsed and validated. Plus the hardening issue 20 asks for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '../../..');
const schema = JSON.parse(readFileSync(join(ROOT, 'fixtures/gitlab/ci-schema/ci.json'), 'utf8')) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

type Inputs = Record<string, { default?: unknown; regex?: string; type?: string }>;

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function template(name: string): { header: { spec: { inputs: Inputs } }; body: string } {
  const text = readFileSync(join(ROOT, 'templates', name), 'utf8');
  const docs = parseAllDocuments(text);
  expect(docs).toHaveLength(2);
  const header = (docs[0] as { toJS(): unknown }).toJS() as { spec: { inputs: Inputs } };
  return { header, body: text.slice(text.indexOf('\n---\n') + 5) };
}

/** GitLab's interpolation: `$[[ inputs.x ]]` replaced by the value's YAML text, then the body is parsed. */
function interpolate(body: string, values: Record<string, unknown>): Record<string, unknown> {
  const text = body.replace(/\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]/g, (_, key: string) => {
    const v = values[key];
    return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
  });
  return parse(text) as Record<string, unknown>;
}

function withDefaults(inputs: Inputs, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(inputs)) out[k] = k in given ? given[k] : spec.default;
  return out;
}

function scripts(config: Record<string, unknown>): string[] {
  return Object.values(config).flatMap((job) => {
    const j = job as Record<string, unknown>;
    return ['script', 'before_script', 'after_script'].flatMap((k) => (Array.isArray(j[k]) ? (j[k] as string[]) : []));
  });
}

describe('CI templates against GitLab CI JSON Schema', () => {
  it('the schema fixture rejects what GitLab rejects (so a pass means something)', () => {
    expect(errorsOf({ job: { script: ['x'], when: 'sometimes' } })).not.toEqual([]);
    expect(errorsOf({ job: { scripts: ['x'] } })).not.toEqual([]);
    expect(errorsOf({ spec: { inputs: { live: { type: 'boolean', default: 'false' } } } })).not.toEqual([]);
  });

  for (const name of ['policy-check.gitlab-ci.yml', 'promote.gitlab-ci.yml', 'promote-mrs.gitlab-ci.yml']) {
    it(`validates ${name}: header and interpolated body`, () => {
      const { header, body } = template(name);
      expect(errorsOf(header)).toEqual([]);
      const config = interpolate(
        body,
        withDefaults(header.spec.inputs, {
          mr: 'evenergi/charging-api!42',
          targets: ['evenergi/charging-api', 'evenergi/charging-api-eu'],
          mrs: 'evenergi/charging-api!42 evenergi/fleet-portal!7',
          'public-key': '$HOTFIX_EVIDENCE_PUBLIC_KEY',
        }),
      );
      expect(errorsOf(config)).toEqual([]);
      // Inputs reach scripts only through variables: no interpolation into shell.
      expect(scripts(parse(body) as Record<string, unknown>).filter((l) => l.includes('$[['))).toEqual([]);
      for (const job of Object.values(config) as Record<string, unknown>[])
        for (const v of Object.values((job.variables ?? {}) as Record<string, unknown>))
          expect(typeof v).toBe('string');
    });
  }

  it('promote: validates the mr input strictly, signs every bundle, and gives the manual start job a rule', () => {
    const { header, body } = template('promote.gitlab-ci.yml');
    const mr = new RegExp(header.spec.inputs.mr?.regex ?? '^$');
    for (const ok of ['evenergi/charging-api!42', 'group/sub.group/my_project!7']) expect(mr.test(ok)).toBe(true);
    for (const bad of ['a/b!1; rm -rf /', 'a/b!1$(id)', 'a/b!`id`', 'a!1', 'a/b!01', 'a/b!1\n', '-x/b!1', 'a/b!0'])
      expect(mr.test(bad), bad).toBe(false);
    const config = interpolate(body, withDefaults(header.spec.inputs, { mr: 'a/b!1', targets: ['a/b'] }));
    const start = config['hotfix-start'] as { rules?: { when?: string; if?: string }[] };
    expect(start.rules?.[0]).toMatchObject({ when: 'manual', if: expect.stringContaining('CI_PIPELINE_SOURCE') });
    const promote = config['hotfix-promote'] as Record<string, unknown>;
    expect(scripts({ promote }).some((s) => s.includes('hotfix evidence sign'))).toBe(true);
    const full = readFileSync(join(ROOT, 'templates/promote.gitlab-ci.yml'), 'utf8');
    expect(full).toContain('HOTFIX_SIGNING_KEY_B64 (masked, protected)');
    const check = scripts({ e: config['hotfix-evidence'] }).find((s) => s.includes('hotfix policy check')) ?? '';
    expect(check).toMatch(/\*\.dsse\.json .*--policy-ref "\$CI_DEFAULT_BRANCH" --key /);
  });

  it('promote-mrs (D4 across repositories): validates the MR list strictly and runs ONE promotion of every MR', () => {
    const { header, body } = template('promote-mrs.gitlab-ci.yml');
    const mrs = new RegExp(header.spec.inputs.mrs?.regex ?? '^$');
    for (const ok of ['evenergi/charging-api!42', 'evenergi/charging-api!42 evenergi/fleet-portal!7'])
      expect(mrs.test(ok), ok).toBe(true);
    for (const bad of [
      'a/b!1 $(id)',
      'a/b!1;c/d!2',
      'a/b!1  c/d!2',
      'a/b!1 *',
      'a/b!1 ',
      ' a/b!1',
      'a/b!1\nc/d!2',
      Array.from({ length: 21 }, (_, i) => `a/b!${i + 1}`).join(' '),
    ])
      expect(mrs.test(bad), bad).toBe(false);
    const config = interpolate(body, withDefaults(header.spec.inputs, { mrs: 'a/b!1 c/d!2' }));
    expect(Object.keys(config)).toEqual(['.hotfix-cli', 'hotfix-start', 'hotfix-promote', 'hotfix-evidence']);
    const promote = config['hotfix-promote'] as Record<string, unknown>;
    // One promotion job (one bundle, locks in one order), not a matrix that would split them.
    expect(promote.parallel).toBeUndefined();
    expect(scripts({ promote }).some((s) => s.includes('hotfix evidence sign'))).toBe(true);
    const check = scripts({ e: config['hotfix-evidence'] }).find((s) => s.includes('hotfix policy check')) ?? '';
    expect(check).toMatch(/\*\.dsse\.json "\$@" --policy /);
  });

  it('policy check: requires a public key and quotes the boolean variable', () => {
    const { header, body } = template('policy-check.gitlab-ci.yml');
    expect(header.spec.inputs['public-key']).toBeDefined();
    expect(header.spec.inputs['public-key']?.default).toBeUndefined();
    expect(body).toMatch(/HOTFIX_LIVE: "\$\[\[ inputs\.live \]\]"/);
    const config = interpolate(body, withDefaults(header.spec.inputs, { 'public-key': 'key.pub', live: true }));
    expect((config['hotfix-policy-check'] as { variables: Record<string, unknown> }).variables.HOTFIX_LIVE).toBe(
      'true',
    );
  });

  it('validates the template YAML shown in docs/policy-in-ci.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/policy-in-ci.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(errorsOf(parse(b))).toEqual([]);
  });
});
