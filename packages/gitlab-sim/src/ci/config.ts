/**
 * Turns a `.gitlab-ci.yml` (the subset release orchestration needs) into a pipeline plan:
 * header `spec: inputs:`, interpolation, `workflow`, `stages`, `variables`, jobs with
 * `rules`, `when`, `allow_failure`, `needs`, `trigger` and `environment`.
 */
import { parseAllDocuments } from 'yaml';
import { evaluateExpression } from './expression.js';
import { resolveExtends } from './extends.js';
import { interpolate, parseInputSpecs, resolveInputs } from './inputs.js';
import type { EnvironmentSpec, TriggerSpec } from './model.js';

/** A job the pipeline will contain. */
export interface PlannedJob {
  readonly name: string;
  readonly stage: string;
  readonly stageIdx: number;
  readonly kind: 'build' | 'bridge';
  readonly when: string;
  readonly allowFailure: boolean;
  readonly needs: string[] | undefined;
  readonly variables: Record<string, string>;
  readonly durationMs: number | undefined;
  readonly environment: EnvironmentSpec | undefined;
  readonly trigger: TriggerSpec | undefined;
  readonly simAction: string | undefined;
  readonly approvalRequired: boolean;
  readonly script: string[];
  readonly startInMs: number | undefined;
}

/** The result of reading a CI configuration for one pipeline. */
export interface PipelinePlan {
  readonly stages: string[];
  readonly jobs: PlannedJob[];
  readonly inputs: Record<string, unknown>;
  readonly name: string | null;
}

const WHENS = ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'];

const RESERVED = new Set([
  'stages',
  'variables',
  'default',
  'include',
  'workflow',
  'spec',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'pages:deploy',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Expands `$VAR` and `${VAR}` (unknown variables become empty, as GitLab's runner-side expansion does). */
export function expandVariables(s: string, vars: Readonly<Record<string, string>>): string {
  return s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a, b) => vars[a ?? b] ?? '');
}

function readVariables(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(node)) return out;
  for (const [k, v] of Object.entries(node)) {
    const value = isObj(v) ? v.value : v;
    if (value !== undefined && value !== null) out[k] = String(value);
  }
  return out;
}

/** Applies `rules:`; returns the chosen rule (or `{}` when there are no rules), undefined when excluded. */
function matchRules(rules: unknown, vars: Readonly<Record<string, string>>, where: string): Obj | undefined {
  if (rules === undefined) return {};
  if (!Array.isArray(rules)) throw new Error(`${where} rules config should be an array of hashes`);
  for (const rule of rules) {
    if (!isObj(rule)) throw new Error(`${where} rules config should be an array of hashes`);
    if (rule.if !== undefined) {
      try {
        if (!evaluateExpression(String(rule.if), vars)) continue;
      } catch {
        throw new Error(`${where} rules:if invalid expression syntax`);
      }
    }
    return rule.when === 'never' ? undefined : rule;
  }
  return undefined;
}

function readTrigger(node: unknown, vars: Readonly<Record<string, string>>, where: string): TriggerSpec {
  const t: Obj = typeof node === 'string' ? { project: node } : isObj(node) ? node : {};
  if (t.include !== undefined) throw new Error(`${where} trigger:include (child pipelines) is not supported`);
  if (typeof t.project !== 'string') throw new Error(`${where} trigger config should contain project`);
  const forward = isObj(t.forward) ? t.forward : {};
  return {
    project: expandVariables(t.project, vars),
    branch: typeof t.branch === 'string' ? expandVariables(t.branch, vars) : undefined,
    depend: t.strategy === 'depend' || t.strategy === 'mirror',
    inputs: isObj(t.inputs) ? t.inputs : {},
    forwardYamlVariables: forward.yaml_variables !== false,
    forwardPipelineVariables: forward.pipeline_variables === true,
  };
}

function readEnvironment(
  node: unknown,
  vars: Readonly<Record<string, string>>,
  where: string,
): EnvironmentSpec | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node !== 'string' && !isObj(node))
    throw new Error(`${where} environment config should be a hash or a string`);
  const e: Obj = typeof node === 'string' ? { name: node } : node;
  const name = expandVariables(String(e.name ?? ''), vars);
  if (!name) throw new Error(`${where} environment name can't be blank`);
  const action = (typeof e.action === 'string' ? e.action : 'start') as EnvironmentSpec['action'];
  const envVars = { ...vars, CI_ENVIRONMENT_NAME: name, CI_ENVIRONMENT_SLUG: environmentSlug(name) };
  return {
    name,
    url: typeof e.url === 'string' ? expandVariables(e.url, envVars) : undefined,
    action,
    tier: typeof e.deployment_tier === 'string' ? e.deployment_tier : undefined,
  };
}

/** GitLab's environment slug: lowercase, non-alphanumerics to `-`, at most 24 characters. */
export function environmentSlug(name: string): string {
  let slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-');
  if (/^[^a-z]/.test(slug)) slug = `env-${slug}`;
  slug = slug.slice(0, 24).replace(/-+$/, '');
  if (slug === name) return slug;
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `${slug.slice(0, 17).replace(/-+$/, '')}-${h.toString(36).padStart(6, '0').slice(-6)}`;
}

/**
 * Reads a CI configuration for a new pipeline. `given` are the API inputs; `vars` are
 * the predefined and pipeline variables (pipeline variables win over YAML ones).
 * Returns GitLab's error texts when the pipeline cannot be created.
 */
export function planPipeline(
  text: string,
  given: Readonly<Record<string, unknown>>,
  predefined: Readonly<Record<string, string>>,
  pipelineVars: Readonly<Record<string, string>>,
): PipelinePlan | { errors: string[] } {
  // GitLab reads YAML 1.1 with merge keys (`<<: *defaults`).
  const docs = parseAllDocuments(text, { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const yamlErr = list.flatMap((d) => d.errors).map((e) => e.message)[0];
  if (yamlErr) return { errors: [`(<unknown>): ${yamlErr.split('\n')[0]}`] };
  const values = list.map((d) => d.toJS() as unknown);
  let header: Obj | undefined;
  let body: unknown = values[0];
  if (values.length >= 2 && isObj(values[0]) && 'spec' in values[0]) {
    header = values[0];
    body = values[1];
  }
  if (!header && Object.keys(given).length) {
    return { errors: ['Given inputs not defined in the `spec` section of the included configuration file'] };
  }
  const { specs, errors: specErrors } = parseInputSpecs(header?.spec);
  if (specErrors.length) return { errors: [specErrors.slice(0, 3).join(', ')] };
  const resolved = resolveInputs(specs, given);
  // Interpolator#error_message: the first three errors, joined.
  if (resolved.errors.length) return { errors: [resolved.errors.slice(0, 3).join(', ')] };
  let config: unknown;
  try {
    config = interpolate(body ?? {}, resolved.values);
  } catch (err) {
    return { errors: [(err as Error).message] };
  }
  if (!isObj(config)) return { errors: ['Invalid configuration format'] };
  try {
    return buildPlan(resolveExtends(config), resolved.values, predefined, pipelineVars);
  } catch (err) {
    return { errors: [(err as Error).message] };
  }
}

function buildPlan(
  config: Obj,
  inputs: Record<string, unknown>,
  predefined: Readonly<Record<string, string>>,
  pipelineVars: Readonly<Record<string, string>>,
): PipelinePlan | { errors: string[] } {
  const globalVars = readVariables(config.variables);
  const baseVars = { ...predefined, ...globalVars, ...pipelineVars };
  let name: string | null = null;
  if (isObj(config.workflow)) {
    const rule = matchRules(config.workflow.rules, baseVars, 'workflow:');
    if (!rule) return { errors: ['Pipeline filtered out by workflow rules.'] };
    if (typeof config.workflow.name === 'string') name = expandVariables(config.workflow.name, baseVars);
  }
  if (config.stages !== undefined && !Array.isArray(config.stages)) {
    return { errors: ['stages config should be an array of strings'] };
  }
  const declared = Array.isArray(config.stages) ? config.stages.map(String) : ['build', 'test', 'deploy'];
  const stages = ['.pre', ...declared.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
  const jobs: PlannedJob[] = [];
  for (const [jobName, raw] of Object.entries(config)) {
    if (RESERVED.has(jobName) || jobName.startsWith('.')) continue;
    if (!isObj(raw)) throw new Error(`jobs:${jobName} config should be a hash`);
    const where = `jobs:${jobName}`;
    if (raw.script === undefined && raw.trigger === undefined && raw.run === undefined) {
      throw new Error(`${where} config should implement the script:, run:, or trigger: keyword`);
    }
    const stage = typeof raw.stage === 'string' ? raw.stage : 'test';
    const stageIdx = stages.indexOf(stage);
    if (stageIdx < 0) {
      throw new Error(`${where} chosen stage ${stage} does not exist; available stages are ${stages.join(', ')}`);
    }
    const jobVars = { ...globalVars, ...readVariables(raw.variables) };
    const ctxVars: Record<string, string> = {
      ...predefined,
      ...jobVars,
      ...pipelineVars,
      CI_JOB_NAME: jobName,
      CI_JOB_STAGE: stage,
    };
    const rule = matchRules(raw.rules, ctxVars, where);
    if (!rule) continue;
    const ruleVars = readVariables(rule.variables);
    const when = String(rule.when ?? raw.when ?? 'on_success');
    if (!WHENS.includes(when)) throw new Error(`${where} when unknown value: ${when}`);
    if (when === 'never') continue;
    const allowFailure =
      raw.rules !== undefined
        ? Boolean(rule.allow_failure ?? raw.allow_failure ?? false)
        : Boolean(raw.allow_failure ?? when === 'manual');
    const context: Record<string, string> = { ...ctxVars, ...ruleVars };
    // Job variables may reference others (`SIM_TARGET_PROJECT: $project`); expand them once, as a runner would.
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...jobVars, ...ruleVars })) variables[k] = expandVariables(v, context);
    const vars: Record<string, string> = { ...ctxVars, ...variables, ...pipelineVars };
    const seconds = Number(vars.SIM_DURATION_SECONDS);
    jobs.push({
      name: jobName,
      stage,
      stageIdx,
      kind: raw.trigger !== undefined ? 'bridge' : 'build',
      when,
      allowFailure: isObj(raw.allow_failure) ? true : allowFailure,
      needs: Array.isArray(raw.needs) ? readNeeds(raw.needs) : undefined,
      variables,
      durationMs: vars.SIM_DURATION_SECONDS !== undefined && Number.isFinite(seconds) ? seconds * 1000 : undefined,
      environment: readEnvironment(raw.environment, vars, where),
      trigger: raw.trigger !== undefined ? readTrigger(raw.trigger, vars, where) : undefined,
      simAction: vars.SIM_ACTION || undefined,
      approvalRequired: vars.SIM_APPROVAL_REQUIRED === 'true',
      script: readScript(raw.script ?? raw.run),
      startInMs: when === 'delayed' ? readStartIn(raw.start_in ?? rule.start_in, where) : undefined,
    });
  }
  const names = new Set(jobs.map((j) => j.name));
  const final = jobs.map((j) => {
    if (!j.needs) return j;
    const needs: string[] = [];
    for (const n of j.needs) {
      const [need, optional] = n.split('\u0000') as [string, string | undefined];
      if (names.has(need)) needs.push(need);
      else if (!optional) {
        throw new Error(
          `'${j.name}' job needs '${need}' job, but '${need}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.`,
        );
      }
    }
    return { ...j, needs };
  });
  if (final.length === 0) {
    return {
      errors: [
        'Pipeline will not run for the selected trigger. The rules configuration prevented any jobs from being added to the pipeline.',
      ],
    };
  }
  return { stages, jobs: final, inputs, name };
}

function readNeeds(needs: unknown[]): string[] {
  return needs.flatMap((n) => {
    if (typeof n === 'string') return [n];
    const o = (isObj(n) ? n : {}) as Obj;
    // Cross-pipeline/project artifact needs do not order jobs of this pipeline.
    if (o.pipeline !== undefined || o.project !== undefined) return [];
    return [`${String(o.job ?? '')}${o.optional === true ? '\u0000optional' : ''}`];
  });
}

function readScript(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (!Array.isArray(node)) return [];
  return node.flatMap((line) => (Array.isArray(line) ? line.map(String) : [String(line)]));
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `start_in` as GitLab's ChronicDuration reads the common forms: `30`, `10 seconds`, `2 hours 30 min`, `1 day`. */
function readStartIn(node: unknown, where: string): number {
  const text = String(node ?? '')
    .trim()
    .toLowerCase();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [
    ...text.matchAll(/(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b/g),
  ];
  const consumed = parts
    .map((m) => m[0])
    .join('')
    .replace(/\s/g, '');
  if (!parts.length || consumed.length !== text.replace(/\s|and|,/g, '').length) {
    throw new Error(`${where} start in should be a duration`);
  }
  return parts.reduce((ms, m) => ms + Number(m[1]) * (UNITS[(m[2] as string)[0] as string] ?? 1) * 1000, 0);
}
