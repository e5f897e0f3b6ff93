/**
 * Turns a `.gitlab-ci.yml` (the subset release orchestration needs) into a pipeline plan:
 * header `spec: inputs:`, interpolation, `workflow`, `stages`, `variables`, jobs with
 * `rules`, `when`, `allow_failure`, `needs`, `trigger` and `environment`.
 */
import { parseAllDocuments } from 'yaml';
import {
  expandVariables,
  readEnvironment,
  readNeeds,
  readScript,
  readStartIn,
  readTrigger,
  readVariables,
} from './config-keywords.js';
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
  /** Whether `workflow:name` interpolates inputs (`$[[ inputs.… ]]`), so the name would echo them. */
  readonly nameFromInputs?: boolean;
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
  let values: unknown[];
  try {
    values = list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
  } catch (err) {
    // Unresolved or excessive aliases surface only when converting.
    return { errors: [`(<unknown>): ${(err as Error).message.split('\n')[0]}`] };
  }
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
  const rawName = isObj(body) && isObj(body.workflow) ? body.workflow.name : undefined;
  const nameFromInputs = typeof rawName === 'string' && rawName.includes('$[[');
  try {
    const plan = buildPlan(resolveExtends(config), resolved.values, predefined, pipelineVars);
    return 'errors' in plan ? plan : { ...plan, nameFromInputs };
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
