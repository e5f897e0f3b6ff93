import { ApiError, json, notFound, paginate } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import type { Router } from '../_internal/router.js';
import { ACCESS, type SimLabel, type SimProject, type SimState } from '../state.js';
import type { ResourceDeps } from './deps.js';

/** GitLab's default colour for labels created without one (e.g. by `add_labels`). */
export const DEFAULT_LABEL_COLOR = '#6699cc';

/** GitLab picks dark or light label text from the background's luminance. */
function textColor(bg: string): string {
  const hex = bg.replace('#', '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16) || 0) as [number, number, number];
  return r * 0.299 + g * 0.587 + b * 0.114 > 186 ? '#1F1E24' : '#FFFFFF';
}

/** Entities::LabelBasic (label_basic.json), as in MR `labels` with `with_labels_details=true`. */
export function labelBasic(label: SimLabel): Record<string, unknown> {
  return {
    id: label.id,
    name: label.name,
    color: label.color,
    description: label.description,
    description_html: label.description ?? '',
    text_color: textColor(label.color),
    remove_on_close: false,
  };
}

/** Entities::ProjectLabel. */
export function projectLabel(label: SimLabel, project: SimProject, withCounts: boolean): Record<string, unknown> {
  const entity: Record<string, unknown> = {
    id: label.id,
    name: label.name,
    description: label.description,
    description_html: label.description ?? '',
    text_color: textColor(label.color),
    color: label.color,
    subscribed: false,
    priority: null,
    is_project_label: true,
  };
  if (withCounts) {
    entity.open_issues_count = 0;
    entity.closed_issues_count = 0;
    entity.open_merge_requests_count = project.mergeRequests.filter(
      (mr) => mr.state === 'opened' && mr.labels.includes(label.name),
    ).length;
  }
  return entity;
}

/** Finds a project label by name (case-sensitive, as GitLab's titles are). */
export function findLabel(project: SimProject, name: string): SimLabel | undefined {
  return project.labels.find((l) => l.name === name);
}

/** Returns the label, creating it with GitLab's default colour when missing (what `add_labels` does). */
export function ensureLabel(state: SimState, project: SimProject, name: string, color = DEFAULT_LABEL_COLOR): SimLabel {
  const existing = findLabel(project, name);
  if (existing) return existing;
  const label: SimLabel = { id: state.nextId('label'), name, color, description: null };
  project.labels.push(label);
  return label;
}

const COLOR_NAMES: Record<string, string> = { red: '#ff0000', green: '#008000', blue: '#0000ff', orange: '#ffa500' };

/** /projects/:id/labels: list, create, get. */
export function registerLabels(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/labels', (ctx) => {
    const project = ctx.services.project(ctx);
    const search = ctx.query.get('search')?.toLowerCase();
    const list = project.labels
      .filter((l) => !search || l.name.toLowerCase().includes(search))
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(list, ctx.query, ctx.url);
    const counts = ctx.query.bool('with_counts') ?? false;
    return { ...page, body: page.body.map((l) => projectLabel(l, project, counts)) };
  });
  router.on('GET', '/projects/:id/labels/:label_id', (ctx) => {
    const project = ctx.services.project(ctx);
    const key = ctx.params.label_id as string;
    const label = /^\d+$/.test(key) ? project.labels.find((l) => l.id === Number(key)) : findLabel(project, key);
    if (!label) throw notFound('Label');
    return json(projectLabel(label, project, false));
  });
  router.on('POST', '/projects/:id/labels', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = new Params(ctx.body);
    p.require(['name', 'color']);
    const name = (p.str('name') as string).trim();
    const rawColor = (p.str('color') as string).trim();
    const color = COLOR_NAMES[rawColor.toLowerCase()] ?? rawColor;
    if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
      throw new ApiError(400, { message: { color: ['must be a valid color code'] } });
    }
    if (!name) throw new ApiError(400, { message: { title: ["can't be blank"] } });
    if (findLabel(project, name)) throw new ApiError(409, { message: 'Label already exists' });
    const label: SimLabel = { id: ctx.state.nextId('label'), name, color, description: p.str('description') ?? null };
    project.labels.push(label);
    return json(projectLabel(label, project, false), 201);
  });
}
