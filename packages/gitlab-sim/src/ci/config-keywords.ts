/** Readers for single `.gitlab-ci.yml` keywords: variables, trigger, environment, needs, script, start_in. */
import type { SimProject } from '../state.js';
import type { EnvironmentSpec, TriggerSpec } from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Expands `$VAR` and `${VAR}` (unknown variables become empty, as GitLab's runner-side expansion does). */
export function expandVariables(s: string, vars: Readonly<Record<string, string>>): string {
  return s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a, b) => vars[a ?? b] ?? '');
}

/** A `variables:` hash as strings (`{value:}` forms unwrapped). */
export function readVariables(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(node)) return out;
  for (const [k, v] of Object.entries(node)) {
    const value = isObj(v) ? v.value : v;
    if (value !== undefined && value !== null) out[k] = String(value);
  }
  return out;
}

/** A `trigger:` keyword (string or hash); `trigger: include` is refused. */
export function readTrigger(node: unknown, vars: Readonly<Record<string, string>>, where: string): TriggerSpec {
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

/** An `environment:` keyword (string or hash), with variables expanded in name and url. */
export function readEnvironment(
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

/** `needs:` entries as job names (`\u0000optional` marks optional ones). */
export function readNeeds(needs: unknown[]): string[] {
  return needs.flatMap((n) => {
    if (typeof n === 'string') return [n];
    const o = (isObj(n) ? n : {}) as Obj;
    // Cross-pipeline/project artifact needs do not order jobs of this pipeline.
    if (o.pipeline !== undefined || o.project !== undefined) return [];
    return [`${String(o.job ?? '')}${o.optional === true ? '\u0000optional' : ''}`];
  });
}

/** `script:` lines, nested lists flattened. */
export function readScript(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (!Array.isArray(node)) return [];
  return node.flatMap((line) => (Array.isArray(line) ? line.map(String) : [String(line)]));
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `start_in` as GitLab's ChronicDuration reads the common forms: `30`, `10 seconds`, `2 hours 30 min`, `1 day`. */
export function readStartIn(node: unknown, where: string): number {
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

/** Predefined CI variables for a pipeline (the subset rules and URLs use). */
export function predefinedVariables(
  base: string,
  project: SimProject,
  ref: string,
  sha: string,
  tag: boolean,
  source: string,
): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER_URL: base,
    CI_API_V4_URL: `${base}/api/v4`,
    CI_PIPELINE_SOURCE: source,
    CI_PROJECT_PATH: project.path,
    CI_PROJECT_ID: String(project.id),
    CI_PROJECT_NAME: project.name,
    CI_PROJECT_NAMESPACE: project.namespace,
    CI_PROJECT_PATH_SLUG: project.path.toLowerCase().replace(/[^a-z0-9]/g, '-'),
    CI_PROJECT_URL: `${base}/${project.path}`,
    CI_DEFAULT_BRANCH: project.defaultBranch,
    CI_COMMIT_SHA: sha,
    CI_COMMIT_SHORT_SHA: sha.slice(0, 8),
    CI_COMMIT_REF_NAME: ref,
    CI_COMMIT_REF_SLUG: ref
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '-')
      .slice(0, 63),
    ...(tag ? { CI_COMMIT_TAG: ref } : { CI_COMMIT_BRANCH: ref }),
  };
}
