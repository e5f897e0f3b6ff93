/**
 * What the instance and this token can do, read without changing anything: the GitLab version
 * (and so whether pipeline `inputs` exist), the project's CI configuration file as
 * `ci_config_path` names it, the guided inputs its `spec:` header declares, and whether this
 * user may run pipelines on a (possibly protected) ref. Shared by `preflight` and `diagnose`.
 */
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient, ProjectRef } from '../gitlab-client.js';
import type { OrchestratorProfile } from '../runbook-config.js';

/** GitLab's Developer access level: the least that may push or run pipelines at all. */
export const DEVELOPER = 30;

/** Entities::Metadata as `/version` and `/metadata` answer (only `version` is required: before 15.5 `/version` had two fields). */
export const metadataSchema = z.object({
  version: z.string().min(1),
  revision: z.string().optional(),
  enterprise: z.boolean().optional(),
  kas: z.object({ enabled: z.boolean().optional() }).partial().nullable().optional(),
});

/** What one `/metadata` (or `/version`) call told. */
export type InstanceMetadata = z.output<typeof metadataSchema>;

/** The first GitLab version whose pipelines API takes `inputs` (behind a flag that is on by default). */
export const INPUTS_SINCE = { major: 17, minor: 10 } as const;
/** The version in which pipeline `inputs` became generally available (the flag removed). */
export const INPUTS_GA = { major: 18, minor: 1 } as const;

/** `major.minor` of a GitLab version string (`16.11.2-ee` → 16, 11), undefined when unreadable. */
export function parseGitLabVersion(raw: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(raw.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function atLeast(v: { major: number; minor: number }, min: { major: number; minor: number }): boolean {
  return v.major > min.major || (v.major === min.major && v.minor >= min.minor);
}

/**
 * Whether a version's pipelines API takes `inputs`: `none` before 17.10 (the key is silently
 * ignored), `flag` from 17.10 to 18.0 (behind `ci_inputs_for_pipelines`, on by default), `ga` from 18.1.
 */
export function inputsSupport(version: string): 'none' | 'flag' | 'ga' | 'unknown' {
  const v = parseGitLabVersion(version);
  if (!v) return 'unknown';
  if (!atLeast(v, INPUTS_SINCE)) return 'none';
  return atLeast(v, INPUTS_GA) ? 'ga' : 'flag';
}

/** Reads `/metadata`, falling back to `/version` (older instances, or a proxy that hides it). */
export async function readInstanceMetadata(client: GitLabClient): Promise<Result<InstanceMetadata, HotfixError>> {
  const meta = await client.request({ method: 'GET', route: '/metadata' }, metadataSchema);
  if (meta.isOk()) return meta;
  const version = await client.request({ method: 'GET', route: '/version' }, metadataSchema);
  return version.isOk() ? version : err(meta.error);
}

const projectCiSchema = z.object({
  id: z.number(),
  default_branch: z.string().nullable().optional(),
  ci_config_path: z.string().nullable().optional(),
});

/** Where a project's CI configuration lives: its own file, or `file@group/project[:ref]` elsewhere. */
export interface CiConfigLocation {
  readonly project: ProjectRef;
  readonly path: string;
  readonly ref: string;
  /** The project's `ci_config_path` as GitLab reported it (null or absent: `.gitlab-ci.yml`). */
  readonly configured: string | null;
}

/**
 * Resolves `ci_config_path` as GitLab reads it: empty is `.gitlab-ci.yml`; `path@group/project`
 * and `path@group/project:refname` name a file of another project (its default branch when no
 * ref is given); a URL is returned as undefined (it cannot be read through the files API).
 */
export function ciConfigLocation(
  configured: string | null | undefined,
  project: ProjectRef,
  ref: string,
): Omit<CiConfigLocation, 'ref'> & { readonly ref: string | undefined } {
  const raw = configured?.trim() ?? '';
  if (raw === '') return { project, path: '.gitlab-ci.yml', ref, configured: configured ?? null };
  if (/^https?:\/\//i.test(raw)) return { project, path: raw, ref: undefined, configured: raw };
  const at = raw.lastIndexOf('@');
  if (at <= 0) return { project, path: raw, ref, configured: raw };
  const [other, otherRef] = raw.slice(at + 1).split(':', 2);
  return { project: other || project, path: raw.slice(0, at), ref: otherRef || undefined, configured: raw };
}

/** The CI configuration a pipeline on `ref` of `project` would run, read through the files API. */
export interface CiConfigFile extends CiConfigLocation {
  readonly text: string;
}

/**
 * Reads the CI configuration file of `project` for a pipeline on `ref`, honouring the project's
 * `ci_config_path`. Errors are the client's (a 404 names the file that is missing in `details`);
 * a remote URL configuration is `gitlab-not-found` with the URL in its message.
 */
export async function readCiConfig(
  client: GitLabClient,
  project: ProjectRef,
  ref: string,
): Promise<Result<CiConfigFile, HotfixError>> {
  const proj = await client.request(
    { method: 'GET', route: '/projects/:id', params: { id: project } },
    projectCiSchema,
  );
  if (proj.isErr()) return err(proj.error);
  const loc = ciConfigLocation(proj.value.ci_config_path, project, ref);
  let where = loc.ref;
  if (where === undefined && loc.project !== project && !/^https?:/i.test(loc.path)) {
    const other = await client.project(loc.project);
    if (other.isErr()) return err(other.error);
    where = other.value.default_branch ?? 'main';
  }
  if (where === undefined)
    return err(
      hotfixError(
        'gitlab-not-found',
        `${project}'s CI configuration is the URL ${loc.path}, which the files API cannot read.`,
        {
          runbookRef: 'P4',
          details: {
            status: 404,
            method: 'GET',
            route: '/projects/:id/repository/files/:file_path/raw',
            gitlabMessage: 'remote CI configuration',
          },
        },
      ),
    );
  const text = await client.rawFile(loc.project, loc.path, where);
  if (text.isErr())
    return err({ ...text.error, message: `${loc.project}:${loc.path}@${where}: ${text.error.message}` });
  return ok({ ...loc, ref: where, text: text.value });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `spec:` header of a CI file (the document before the first `---`), or undefined without one. */
export function specHeader(ciText: string): string | undefined {
  const header = ciText.split(/^---\s*$/m)[0] ?? '';
  return /^spec:\s*$/m.test(header) && /^\s+inputs:\s*$/m.test(header) ? header : undefined;
}

/**
 * The guided inputs (and the deploy action among their options) the CI file's `spec:inputs`
 * header lacks; every name when there is no header.
 */
export function missingGuidedInputs(ciText: string, orch: OrchestratorProfile): string[] {
  const header = specHeader(ciText);
  const names = Object.values(orch.inputNames);
  if (header === undefined) return names;
  const missing = names.filter((n) => !new RegExp(`^\\s+${escapeRe(n)}\\s*:`, 'm').test(header));
  if (!header.includes(orch.deployAction)) missing.push(orch.deployAction);
  return missing;
}

const accessLevelsSchema = z
  .array(z.object({ access_level: z.number().nullable().optional(), user_id: z.number().nullable().optional() }))
  .optional();

const protectedBranchSchema = z.object({
  name: z.string(),
  push_access_levels: accessLevelsSchema,
  merge_access_levels: accessLevelsSchema,
});

/** Whether this user may run pipelines on a ref, and why. */
export interface RefAccess {
  readonly protected: boolean;
  /** True or false when known; undefined when the protection rules could not be read. */
  readonly allowed: boolean | undefined;
  /** The least access level the protection asks to push or merge (0: no one), when read. */
  readonly needs?: number;
  readonly accessLevel: number;
}

function ruleMatches(rule: string, ref: string): boolean {
  if (!rule.includes('*')) return rule === ref;
  return new RegExp(`^${rule.split('*').map(escapeRe).join('.*')}$`).test(ref);
}

/**
 * Whether the user with `accessLevel` (and `userId`) may create pipelines on `ref` of `project`:
 * on an unprotected ref a Developer may; on a protected one only those allowed to push or merge
 * into it (GitLab's rule for running pipelines on protected refs). Reads the branch, then the
 * protected-branch rules; rules that cannot be read (403) fall back to the branch's `can_push`.
 */
export async function refAccess(
  client: GitLabClient,
  project: ProjectRef,
  ref: string,
  who: { readonly accessLevel: number; readonly userId?: number | undefined },
): Promise<Result<RefAccess, HotfixError>> {
  const branch = await client.branch(project, ref);
  if (branch.isErr()) return err(branch.error);
  const { accessLevel } = who;
  // Level 0 with a visible project: an administrator or a public project; the role says nothing.
  const byLevel = accessLevel > 0 ? accessLevel >= DEVELOPER : undefined;
  if (!branch.value.protected) return ok({ protected: false, allowed: byLevel, accessLevel });
  if (branch.value.can_push === true) return ok({ protected: true, allowed: true, accessLevel });
  const rules = await client.request(
    { method: 'GET', route: '/projects/:id/protected_branches', params: { id: project }, query: { per_page: 100 } },
    z.array(protectedBranchSchema),
  );
  if (rules.isErr()) {
    if (rules.error.code === 'gitlab-forbidden' || rules.error.code === 'gitlab-not-found')
      return ok({ protected: true, allowed: undefined, accessLevel });
    return err(rules.error);
  }
  const matching = rules.value.filter((r) => ruleMatches(r.name, ref));
  const levels = matching.flatMap((r) => [...(r.push_access_levels ?? []), ...(r.merge_access_levels ?? [])]);
  const byRole = levels.map((l) => l.access_level ?? 0).filter((l) => l > 0);
  const byUser = who.userId !== undefined && levels.some((l) => l.user_id === who.userId);
  const needs = byRole.length ? Math.min(...byRole) : 0;
  const allowed = accessLevel === 0 && !byUser ? undefined : byUser || (byRole.length > 0 && accessLevel >= needs);
  return ok({ protected: true, allowed, needs, accessLevel });
}

/** The higher of a project's project and group access levels from its `permissions` (0 when absent). */
export function accessLevelOf(
  permissions:
    | {
        readonly project_access?: { readonly access_level: number } | null | undefined;
        readonly group_access?: { readonly access_level: number } | null | undefined;
      }
    | undefined,
): number {
  return Math.max(permissions?.project_access?.access_level ?? 0, permissions?.group_access?.access_level ?? 0);
}

/** What a read-only pass over the orchestration project found (each part an error when unreadable). */
export interface OrchestrationFacts {
  /** The project, or the error reading it (404/403: not visible to this token). */
  readonly project: Result<
    {
      readonly accessLevel: number;
      readonly hasPermissions: boolean;
      /** Who may set pipeline variables, as the project reports it (fields absent when not shown). */
      readonly variables: { readonly restricted?: boolean; readonly minimumRole?: string };
    },
    HotfixError
  >;
  /** Whether this user may run pipelines on the orchestration ref; absent when the project is unreadable. */
  readonly ref?: Result<RefAccess, HotfixError>;
  /** The CI configuration a pipeline on the ref runs (honouring `ci_config_path`). */
  readonly ci?: Result<CiConfigFile, HotfixError>;
  /** The guided inputs (or deploy action) the CI's `spec:inputs` header lacks; absent without a CI file. */
  readonly missingInputs?: readonly string[];
}

/** 404 and 403 are facts about access; anything else (401, network, rate limit) stops the caller. */
export function isAccessError(e: HotfixError): boolean {
  return e.code === 'gitlab-not-found' || e.code === 'gitlab-forbidden';
}

/**
 * Reads what the orchestration step (P4) rests on: the project and this user's access level,
 * whether they may run pipelines on the orchestration ref (protected refs included), and the
 * CI configuration's guided inputs. The caller turns these facts into its own findings.
 */
export async function orchestrationFacts(
  client: GitLabClient,
  orch: OrchestratorProfile,
  userId?: number,
): Promise<OrchestrationFacts> {
  const proj = await client.project(orch.project);
  if (proj.isErr()) return { project: err(proj.error) };
  const perms = proj.value.permissions;
  const accessLevel = accessLevelOf(perms);
  const { restrict_user_defined_variables: restricted, ci_pipeline_variables_minimum_override_role: role } = proj.value;
  const project = ok({
    accessLevel,
    hasPermissions: perms !== undefined && accessLevel > 0,
    variables: { ...(restricted !== undefined ? { restricted } : {}), ...(role ? { minimumRole: role } : {}) },
  });
  const ref = await refAccess(client, orch.project, orch.ref, { accessLevel, userId });
  const ci = await readCiConfig(client, orch.project, orch.ref);
  return {
    project,
    ref,
    ci,
    ...(ci.isOk() ? { missingInputs: missingGuidedInputs(ci.value.text, orch) } : {}),
  };
}

/** Whether this user may push to a branch: GitLab's `can_push` when it says, else the role (Developer or more). */
export function mayPushBranch(
  branch: { readonly can_push?: boolean | undefined },
  accessLevel: number | undefined,
): boolean {
  return branch.can_push ?? (accessLevel !== undefined && accessLevel >= DEVELOPER);
}

/** The top-level keys of a CI file that name jobs (every top-level key but GitLab's global keywords). */
export function topLevelJobNames(ciText: string): string[] {
  const globals = new Set([
    'spec',
    'stages',
    'variables',
    'workflow',
    'include',
    'default',
    'image',
    'services',
    'cache',
    'before_script',
    'after_script',
  ]);
  const names: string[] = [];
  for (const line of ciText.split(/\r?\n/)) {
    const m = /^(?:"([^"]+)"|'([^']+)'|([^\s#'"][^:#]*?))\s*:(?:\s|$)/.exec(line);
    const name = m?.[1] ?? m?.[2] ?? m?.[3];
    if (name && !globals.has(name)) names.push(name);
  }
  return names;
}
