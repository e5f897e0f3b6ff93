/**
 * The GitLab CI templates in templates/: parsed as GitLab reads them (a `spec:` header document,
 * then the jobs), checked for the jobs they define, and every `hotfix` command they run is one
 * the CLI knows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/run.js';
import { PKG } from './support/cli.js';

const ROOT = join(PKG, '../..');
// The yaml package is a dependency of the simulator; nothing is added for this test.
const yaml = createRequire(join(ROOT, 'packages/gitlab-sim/package.json'))('yaml') as {
  parseAllDocuments(text: string): { errors: unknown[]; toJS(): unknown }[];
};

type Job = {
  script?: string[];
  rules?: { if?: string; when?: string }[];
  variables?: Record<string, string>;
  when?: string;
  needs?: (string | { job: string; artifacts?: boolean })[];
  parallel?: { matrix?: Record<string, unknown>[] };
  artifacts?: { when?: string; expose_as?: string; paths?: string[]; reports?: { junit?: string } };
  extends?: string;
  before_script?: string[];
};

function load(name: string): {
  inputs: Record<string, { default?: unknown; type?: string }>;
  jobs: Record<string, Job>;
} {
  const text = readFileSync(join(ROOT, 'templates', name), 'utf8');
  const docs = yaml.parseAllDocuments(text);
  expect(docs.map((d) => d.errors)).toEqual([[], []]);
  const [header, body] = docs.map((d) => d.toJS()) as [
    { spec: { inputs: Record<string, never> } },
    Record<string, Job>,
  ];
  const used = [...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]);
  for (const input of used) expect(Object.keys(header.spec.inputs)).toContain(input);
  return { inputs: header.spec.inputs, jobs: body };
}

const scriptOf = (job: Job | undefined) => (job?.script ?? []).join('\n');

async function knownCommand(line: string): Promise<void> {
  const words = line.replace(/^.*?\bhotfix\s+/, '').split(/\s+/);
  const argv = words[0] === 'policy' || words[0] === 'evidence' ? words.slice(0, 2) : words.slice(0, 1);
  const out: string[] = [];
  const code = await run([...argv, '--help'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {} });
  expect([line, code]).toEqual([line, 0]);
}

describe('templates/policy-check.gitlab-ci.yml', () => {
  it('runs the policy check on the evidence artifact and publishes the JUnit report', async () => {
    const { inputs, jobs } = load('policy-check.gitlab-ci.yml');
    expect(Object.keys(jobs)).toEqual(['hotfix-policy-check']);
    const job = jobs['hotfix-policy-check'];
    expect(inputs.evidence?.default).toBe('evidence/*.dsse.json');
    expect(scriptOf(job)).toMatch(/hotfix policy check "\$@" --junit hotfix-policy-junit\.xml/);
    expect(job?.artifacts).toMatchObject({ when: 'always', reports: { junit: 'hotfix-policy-junit.xml' } });
    // The HTML report beside it, one click from the MR: the only path, so the link opens the file.
    expect(scriptOf(job)).toMatch(
      /hotfix evidence report "\$@" --html hotfix-evidence-report\.html\n.*hotfix policy check/,
    );
    expect(job?.artifacts).toMatchObject({
      expose_as: 'Hotfix evidence report',
      paths: ['hotfix-evidence-report.html'],
    });
    for (const line of job?.script?.filter((l) => /^hotfix /.test(l)) ?? []) await knownCommand(line);
  });
});

describe('templates/promote.gitlab-ci.yml', () => {
  it('starts from a manual job, fans out per target with parallel:matrix, and collects the bundles', async () => {
    const { inputs, jobs } = load('promote.gitlab-ci.yml');
    expect(Object.keys(jobs)).toEqual(['.hotfix-cli', 'hotfix-start', 'hotfix-promote', 'hotfix-evidence']);
    expect(inputs.mr?.default).toBeUndefined();
    expect(inputs.targets).toMatchObject({ type: 'array' });
    expect(inputs.targets?.default).toBeUndefined();

    const start = jobs['hotfix-start'];
    expect(start?.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "web" && $CI_COMMIT_REF_PROTECTED == "true"', when: 'manual' },
    ]);
    // The MR reaches scripts only through a quoted variable, never interpolated into shell.
    expect(scriptOf(start)).toContain('hotfix preflight --mr "$HOTFIX_MR"');
    expect(jobs['.hotfix-cli']?.variables?.HOTFIX_MR).toBe('$[[ inputs.mr ]]');

    const promote = jobs['hotfix-promote'];
    expect(promote?.needs).toEqual(['hotfix-start']);
    expect(promote?.parallel?.matrix).toEqual([{ HOTFIX_TARGET: '$[[ inputs.targets ]]' }]);
    expect(scriptOf(promote)).toMatch(
      /hotfix promote --mr "\$HOTFIX_MR" --target "\$HOTFIX_TARGET" --evidence "\$HOTFIX_EVIDENCE\.bundle\.json"/,
    );
    expect(promote?.artifacts).toMatchObject({ when: 'always', paths: ['evidence/'] });

    const collect = jobs['hotfix-evidence'];
    expect(collect?.needs).toEqual([{ job: 'hotfix-promote', artifacts: true }]);
    const gate =
      'evidence/*.dsse.json --mr "$HOTFIX_MR" --policy "$HOTFIX_POLICY_PATH" --policy-ref "$CI_DEFAULT_BRANCH" --key "$HOTFIX_EVIDENCE_PUBLIC_KEY"';
    expect(scriptOf(collect)).toContain(`hotfix policy check ${gate} --junit hotfix-policy-junit.xml`);
    expect(collect?.artifacts?.reports?.junit).toBe('hotfix-policy-junit.xml');
    expect(scriptOf(collect)).toContain(`hotfix evidence report ${gate} --html hotfix-evidence-report.html`);
    expect(collect?.artifacts?.expose_as).toBe('Hotfix evidence report');
    expect(collect?.artifacts?.paths).toContain('hotfix-evidence-report.html');
    for (const name of ['hotfix-start', 'hotfix-promote', 'hotfix-evidence'])
      expect(jobs[name]?.extends).toBe('.hotfix-cli');
    for (const job of Object.values(jobs))
      for (const line of job.script?.filter((l) => /^hotfix /.test(l)) ?? []) await knownCommand(line);
  });
});

describe('templates/promote-mrs.gitlab-ci.yml (D4 across repositories)', () => {
  it('plans, promotes and gates every MR as one promotion, with one --mr per MR built without globbing', async () => {
    const { inputs, jobs } = load('promote-mrs.gitlab-ci.yml');
    expect(Object.keys(jobs)).toEqual(['.hotfix-cli', 'hotfix-start', 'hotfix-promote', 'hotfix-evidence']);
    expect(inputs.mrs).toMatchObject({ type: 'string' });
    expect(inputs.mrs?.default).toBeUndefined();
    const cli = jobs['.hotfix-cli'];
    expect(cli?.variables?.HOTFIX_MRS).toBe('$[[ inputs.mrs ]]');
    const split = cli?.before_script?.find((l) => l.includes('HOTFIX_MRS')) ?? '';
    // The split as the job's shell runs it: one --mr per MR, in order; a glob character stays literal.
    const argsOf = (mrs: string) =>
      execFileSync('sh', ['-c', `${split}; printf '%s\\n' "$@"`], {
        env: { PATH: process.env.PATH ?? '', HOTFIX_MRS: mrs },
        cwd: ROOT,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean);
    expect(argsOf('evenergi/charging-api!42 evenergi/fleet-portal!7')).toEqual([
      '--mr',
      'evenergi/charging-api!42',
      '--mr',
      'evenergi/fleet-portal!7',
    ]);
    expect(argsOf('*')).toEqual(['--mr', '*']);
    expect(scriptOf(jobs['hotfix-start'])).toContain('hotfix promote "$@" --dry-run');
    const promote = jobs['hotfix-promote'];
    expect(promote?.needs).toEqual(['hotfix-start']);
    expect(promote?.parallel).toBeUndefined();
    expect(scriptOf(promote)).toContain('hotfix promote "$@" --evidence evidence/hotfix.bundle.json');
    const gate = scriptOf(jobs['hotfix-evidence']);
    expect(gate).toContain('hotfix policy check evidence/*.dsse.json "$@" --policy "$HOTFIX_POLICY_PATH"');
    expect(gate).toContain('hotfix evidence report evidence/*.dsse.json "$@" --policy');
    for (const job of Object.values(jobs))
      for (const line of job.script?.filter((l) => /^hotfix /.test(l)) ?? []) await knownCommand(line);
  });
});
