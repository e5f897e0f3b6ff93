import { describe, expect, it } from 'vitest';
import { demoCiFiles } from '../scenarios/demo-ci.js';
import { type PipelinePlan, planPipeline } from './config.js';

const DEPLOY = { action: 'deploy-release-branch-to-staging', project: 'acme/service', confirm: true };
const plan = (text: string, inputs: Record<string, unknown> = {}, vars: Record<string, string> = {}) =>
  planPipeline(text, inputs, { CI_SERVER_URL: 'http://sim', CI_PROJECT_PATH: 'acme/service', ...vars }, {});
const ok = (r: ReturnType<typeof plan>): PipelinePlan => {
  if ('errors' in r) throw new Error(r.errors.join('; '));
  return r;
};

describe(planPipeline.name, () => {
  it('reads the orchestrator: the deploy action selects only the depending trigger to the target release', () => {
    const p = ok(plan(demoCiFiles().orchestrator, DEPLOY));
    expect(p.jobs.map((j) => [j.name, j.kind])).toEqual([['deploy-release-branch-to-staging', 'bridge']]);
    expect(p.jobs[0]?.trigger).toMatchObject({ project: 'acme/service', branch: 'release', depend: true });
    expect(p.inputs).toEqual(DEPLOY);
    expect(p.stages).toEqual(['.pre', 'check', 'release', 'deploy', '.post']);
  });

  it('selects the reset job and its follow-up trigger for the cut-off action', () => {
    const p = ok(plan(demoCiFiles().orchestrator, { ...DEPLOY, action: 'bring-all-code-to-release-branch' }));
    expect(p.jobs.map((j) => j.name)).toEqual(['bring-all-code-to-release-branch', 'deploy-after-cut-off']);
    expect(p.jobs[0]).toMatchObject({ simAction: 'reset-release-from-default', durationMs: 20_000 });
    expect(p.jobs[0]?.variables.SIM_TARGET_PROJECT).toBe('acme/service');
  });

  it('reads the variables-driven orchestrator (GitLab before inputs) the same way', () => {
    const text = demoCiFiles().orchestratorVariables;
    const vars = { action: 'bring-all-code-to-release-branch', project: 'acme/service', confirm: 'true' };
    const r = planPipeline(text, {}, { CI_PROJECT_PATH: 'evenergi/develop' }, vars);
    const p = ok(r);
    expect(p.name).toBe('bring-all-code-to-release-branch acme/service confirm=true');
    expect(p.jobs.map((j) => j.name)).toEqual(['bring-all-code-to-release-branch', 'deploy-after-cut-off']);
    expect(p.jobs[0]?.variables.SIM_TARGET_PROJECT).toBe('acme/service');
    expect(p.jobs[1]?.trigger?.project).toBe('acme/service');
    const deploy = ok(planPipeline(text, {}, {}, { ...vars, action: 'deploy-release-branch-to-staging' }));
    expect(deploy.jobs.map((j) => j.name)).toEqual(['deploy-release-branch-to-staging']);
  });

  it('applies input defaults (confirm=false selects only the failing check)', () => {
    const p = ok(plan(demoCiFiles().orchestrator, { action: DEPLOY.action, project: 'acme/service' }));
    expect(p.jobs.map((j) => j.name)).toEqual(['confirmation-required']);
  });

  it('reads the service CI: environment with an expanded URL on release, tests elsewhere', () => {
    const release = ok(plan(demoCiFiles().service, {}, { CI_COMMIT_BRANCH: 'release' }));
    expect(release.jobs.map((j) => j.name)).toEqual(['build', 'deploy-staging', 'smoke']);
    expect(release.jobs[1]?.environment).toEqual({
      name: 'staging',
      url: 'http://sim/-/sim/services/acme/service/staging',
      action: 'start',
      tier: 'staging',
    });
    const main = ok(plan(demoCiFiles().service, {}, { CI_COMMIT_BRANCH: 'main' }));
    expect(main.jobs.map((j) => j.name)).toEqual(['test']);
  });

  it('keeps the type of a whole-value interpolation and defaults manual jobs to allow_failure', () => {
    const text = `spec:\n  inputs:\n    n:\n      type: number\n---\njob:\n  when: manual\n  script: [x]\n  variables:\n    N: $[[ inputs.n ]]\n    S: "n=$[[ inputs.n ]]"\n`;
    const p = ok(plan(text, { n: 3 }));
    expect(p.jobs[0]).toMatchObject({ when: 'manual', allowFailure: true, variables: { N: '3', S: 'n=3' } });
  });

  it('understands YAML merge keys, as GitLab (YAML 1.1) does', () => {
    const text = `.defaults: &defaults\n  stage: deploy\n  variables: { SIM_DURATION_SECONDS: "7" }\njob:\n  <<: *defaults\n  script: [x]\n`;
    expect(ok(plan(text)).jobs[0]).toMatchObject({ stage: 'deploy', durationMs: 7_000 });
  });

  it('resolves extends (deep merge, arrays replaced, several bases in order)', () => {
    const text = `.deploy:
  stage: deploy
  variables: { SIM_DURATION_SECONDS: "60", TIER: base }
  environment: { name: staging, url: http://x }
  script: [base]
.quick:
  variables: { SIM_DURATION_SECONDS: "5" }
deploy-staging:
  extends: [.deploy, .quick]
  variables: { TIER: own }
  script: [own]
`;
    const p = ok(plan(text));
    expect(p.jobs).toHaveLength(1);
    expect(p.jobs[0]).toMatchObject({
      name: 'deploy-staging',
      stage: 'deploy',
      durationMs: 5_000,
      script: ['own'],
      environment: { name: 'staging', url: 'http://x' },
    });
    expect(p.jobs[0]?.variables.TIER).toBe('own');
    expect(plan('a:\n  extends: .nope\n  script: [x]\n')).toEqual({ errors: ['a: unknown key in `extends`'] });
    expect(plan('.a:\n  extends: .b\n.b:\n  extends: .a\nj:\n  extends: .a\n  script: [x]\n')).toEqual({
      errors: ['.a: circular dependency detected in `extends`'],
    });
  });

  it('returns GitLab errors for bad configuration', () => {
    const cases: [string, string][] = [
      ['job:\n  stage: nope\n  script: [x]\n', 'jobs:job chosen stage nope does not exist; available stages are'],
      ['job:\n  image: x\n', 'jobs:job config should implement the script:, run:, or trigger: keyword'],
      ['job:\n  script: [x]\n  rules:\n    - if: "true == true"\n', 'jobs:job rules:if invalid expression syntax'],
      ['job:\n  script: [x]\n  rules:\n    - when: never\n', 'Pipeline will not run for the selected trigger.'],
      ['a:\n  script: [x]\n  needs: [b]\n', "'a' job needs 'b' job, but 'b' does not exist in the pipeline."],
      ['job:\n  script: ["$[[ inputs.x ]]"]\n', 'unknown interpolation key: `x`'],
      ['job: [\n', '(<unknown>):'],
      ['workflow:\n  rules:\n    - if: $NOPE\njob:\n  script: [x]\n', 'Pipeline filtered out by workflow rules.'],
      ['stages: deploy\njob:\n  script: [x]\n', 'stages config should be an array of strings'],
      ['job:\n  when: later\n  script: [x]\n', 'jobs:job when unknown value: later'],
      ['job:\n  environment: 5\n  script: [x]\n', 'jobs:job environment config should be a hash or a string'],
      ['job:\n  environment: { url: http://x }\n  script: [x]\n', "jobs:job environment name can't be blank"],
    ];
    for (const [text, message] of cases) {
      const r = plan(text);
      expect('errors' in r ? r.errors[0] : 'no error', text).toContain(message);
    }
  });

  it('validates regex inputs and array/number types', () => {
    const text = `spec:\n  inputs:\n    tag:\n      regex: /^v\\d+$/\n    list:\n      type: array\n      default: []\n---\njob:\n  script: [x]\n`;
    expect(plan(text, { tag: 'v1' })).not.toHaveProperty('errors');
    expect(plan(text, { tag: 'x1' })).toEqual({
      errors: ['`tag` input: provided value does not match required RegEx pattern'],
    });
    expect(plan(text, { tag: 'v1', list: 'a' })).toEqual({ errors: ['`list` input: provided value is not an array'] });
    const odd = `spec:\n  inputs:\n    flag:\n      type: boolean\n      default: "no"\n      options: [true]\n    n:\n      type: number\n      options: [1, 2]\n---\njob:\n  script: [x]\n`;
    expect(plan(odd, { n: 3 })).toEqual({
      errors: [
        '`flag` input: default value is not a boolean, `flag` input: Options can only be used with string and number inputs, `n` input: `3` cannot be used because it is not in the list of the allowed options',
      ],
    });
  });
});
