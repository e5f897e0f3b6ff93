import { json, notFound, paginate } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import type { SimMergeRequest, SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { userBasic } from './entities.js';
import { findLabel } from './labels.js';
import { findMergeRequest } from './merge-requests.js';

function events(ctx: RequestContext, project: SimProject, mr: SimMergeRequest) {
  return mr.labelEvents.map((e, i) => {
    const label = findLabel(project, e.label);
    return {
      // Event ids are derived from the MR id and the event's position (stable, unique per MR).
      id: mr.id * 10_000 + i + 1,
      user: userBasic(ctx.state.user(e.userId), ctx.baseUrl),
      created_at: e.at,
      resource_type: 'MergeRequest',
      resource_id: mr.id,
      label: label
        ? {
            id: label.id,
            name: label.name,
            color: label.color,
            description: label.description,
            description_html: label.description ?? '',
            text_color: '#FFFFFF',
          }
        : null,
      action: e.action,
    };
  });
}

/** GET …/merge_requests/:iid/resource_label_events (so tools can prove when a label was added). */
export function registerResourceLabelEvents(router: Router, _deps: ResourceDeps): void {
  const base = '/projects/:id/merge_requests/:merge_request_iid/resource_label_events';
  router.on('GET', base, (ctx) => {
    const project = ctx.services.project(ctx);
    return paginate(events(ctx, project, findMergeRequest(ctx, project)), ctx.query, ctx.url);
  });
  router.on('GET', `${base}/:event_id`, (ctx) => {
    const project = ctx.services.project(ctx);
    const event = events(ctx, project, findMergeRequest(ctx, project)).find(
      (e) => e.id === Number(ctx.params.event_id),
    );
    if (!event) throw notFound('Event');
    return json(event);
  });
}
