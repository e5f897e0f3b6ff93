import { createHash } from 'node:crypto';
import type { RequestContext } from '../_internal/router.js';
import type { SimProject, SimUser } from '../state.js';

/** Entities::UserBasic. */
export function userBasic(user: SimUser | undefined, baseUrl: string): Record<string, unknown> | null {
  if (!user) return null;
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    // GitLab answers a Gravatar URL for users without an uploaded avatar (notes.json requires a URI).
    avatar_url: `https://www.gravatar.com/avatar/${createHash('md5').update(user.email.toLowerCase()).digest('hex')}?s=80&d=identicon`,
    web_url: `${baseUrl}/${user.username}`,
  };
}

/** Entities::Project (the fields GitLab's project.json fixture and clients rely on). */
export function projectEntity(project: SimProject, ctx: RequestContext): Record<string, unknown> {
  const base = ctx.baseUrl;
  return {
    id: project.id,
    description: null,
    name: project.name,
    name_with_namespace: project.path.split('/').join(' / '),
    path: project.name,
    path_with_namespace: project.path,
    created_at: project.createdAt,
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@sim.invalid:${project.path}.git`,
    http_url_to_repo: `${base}/${project.path}.git`,
    web_url: `${base}/${project.path}`,
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: project.createdAt,
    namespace: {
      id: project.id,
      name: project.namespace,
      path: project.namespace.split('/').pop() ?? project.namespace,
      kind: 'group',
      full_path: project.namespace,
      parent_id: null,
      avatar_url: null,
      web_url: `${base}/groups/${project.namespace}`,
    },
    visibility: 'private',
    merge_method: project.mergeMethod,
    only_allow_merge_if_pipeline_succeeds: project.onlyAllowMergeIfPipelineSucceeds ?? false,
    ci_config_path: project.ciConfigPath ?? null,
    // The simulator always applies the minimum role, as GitLab does with the restriction on.
    restrict_user_defined_variables: true,
    ci_pipeline_variables_minimum_override_role: roleName(project.pipelineVariablesMinimumRole),
    permissions: {
      project_access: ctx.user
        ? { access_level: ctx.state.accessLevel(project, ctx.user.id), notification_level: 3 }
        : null,
      group_access: null,
    },
  };
}

function roleName(level: number): string {
  if (level >= 50) return 'owner';
  if (level >= 40) return 'maintainer';
  if (level >= 30) return 'developer';
  return 'no_one_allowed';
}

/** The fields of Entities::BasicProjectDetails (GitLab's project.json fixture, and `simple=true` lists). */
const BASIC_PROJECT_FIELDS = [
  'id',
  'description',
  'name',
  'name_with_namespace',
  'path',
  'path_with_namespace',
  'created_at',
  'default_branch',
  'tag_list',
  'topics',
  'ssh_url_to_repo',
  'http_url_to_repo',
  'web_url',
  'readme_url',
  'avatar_url',
  'forks_count',
  'star_count',
  'last_activity_at',
  'namespace',
] as const;

/** Entities::BasicProjectDetails: the `simple=true` project shape, also embedded in environments. */
export function projectBasic(project: SimProject, ctx: RequestContext): Record<string, unknown> {
  const full = projectEntity(project, ctx);
  return Object.fromEntries(BASIC_PROJECT_FIELDS.filter((k) => k in full).map((k) => [k, full[k]]));
}
