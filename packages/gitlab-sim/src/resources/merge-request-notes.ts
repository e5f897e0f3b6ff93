import { ApiError, json, notFound, paginate, unauthorized } from '../_internal/http.js';
import { changeLabels } from '../_internal/merge-requests.js';
import { Params } from '../_internal/params.js';
import { extractQuickActions, labelRef, parseLabelRefs, type QuickAction } from '../_internal/quick-actions.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimMergeRequest, type SimNote, type SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { userBasic } from './entities.js';
import { findLabel } from './labels.js';
import { findMergeRequest } from './merge-requests.js';

/** Entities::Note for a merge request note. */
function noteEntity(ctx: RequestContext, project: SimProject, mr: SimMergeRequest, note: SimNote) {
  return {
    id: note.id,
    type: null,
    body: note.body,
    attachment: null,
    author: userBasic(ctx.state.user(note.authorId), ctx.baseUrl),
    created_at: note.createdAt,
    updated_at: note.updatedAt,
    system: note.system,
    noteable_id: mr.id,
    noteable_type: 'MergeRequest',
    project_id: project.id,
    resolvable: false,
    confidential: note.internal,
    internal: note.internal,
    imported: false,
    imported_from: 'none',
    noteable_iid: mr.iid,
    commands_changes: {},
  };
}

function plural(names: string[], verb: string): string {
  return `${verb} ${names.map(labelRef).join(' ')} label${names.length > 1 ? 's' : ''}.`;
}

/** Executes quick actions on an MR; returns GitLab's `commands_changes` and summary lines. */
function execute(ctx: RequestContext, project: SimProject, mr: SimMergeRequest, actions: QuickAction[]) {
  const userId = (ctx.user as NonNullable<RequestContext['user']>).id;
  const at = ctx.clock.iso();
  const changes: Record<string, unknown> = {};
  const summary: string[] = [];
  const existing = (arg: string) => parseLabelRefs(arg).flatMap((n) => findLabel(project, n) ?? []);
  for (const { name, arg } of actions) {
    if (name === 'label' || name === 'labels') {
      const labels = existing(arg);
      changeLabels(mr, { add: labels }, userId, at);
      if (labels.length) changes.add_label_ids = labels.map((l) => l.id);
      // Re-adding a present label is a no-op that GitLab still reports as added.
      summary.push(
        labels.length
          ? plural(
              labels.map((l) => l.name),
              'Added',
            )
          : 'Could not apply label command.',
      );
    } else if (name === 'unlabel' || name === 'remove_label') {
      const names = arg ? existing(arg).map((l) => l.name) : [...mr.labels];
      const { removed } = changeLabels(mr, { remove: names }, userId, at);
      changes.remove_label_ids = names.flatMap((n) => findLabel(project, n)?.id ?? []);
      summary.push(removed.length ? plural(removed, 'Removed') : 'Could not apply unlabel command.');
    } else if (name === 'relabel') {
      const labels = existing(arg);
      changeLabels(mr, { set: labels }, userId, at);
      changes.label_ids = labels.map((l) => l.id);
      summary.push(
        labels.length
          ? plural(
              labels.map((l) => l.name),
              'Replaced all labels with',
            )
          : 'Could not apply relabel command.',
      );
    } else if (name === 'title' && arg) {
      mr.title = arg;
      changes.title = arg;
      summary.push(`Changed the title to "${arg}".`);
    } else if (name === 'close' && mr.state === 'opened') {
      mr.state = 'closed';
      changes.state_event = 'close';
      summary.push('Closed this merge request.');
    } else if (name === 'reopen' && mr.state === 'closed') {
      mr.state = 'opened';
      changes.state_event = 'reopen';
      summary.push('Reopened this merge request.');
    } else if (name === 'approve' && !mr.approvedBy.some((a) => a.userId === userId)) {
      mr.approvedBy.push({ userId, at });
      changes.approve = true;
      summary.push('Approved this merge request.');
    } else if (name === 'unapprove' && mr.approvedBy.some((a) => a.userId === userId)) {
      mr.approvedBy = mr.approvedBy.filter((a) => a.userId !== userId);
      changes.unapprove = true;
      summary.push('Unapproved this merge request.');
    }
  }
  mr.updatedAt = at;
  return { changes, summary };
}

function findNote(ctx: RequestContext, mr: SimMergeRequest): SimNote {
  const note = mr.notes.find((n) => n.id === Number(ctx.params.note_id));
  if (!note) throw notFound('Note');
  return note;
}

/** Merge request notes, with quick actions executed from note bodies. */
export function registerMergeRequestNotes(router: Router, _deps: ResourceDeps): void {
  const base = '/projects/:id/merge_requests/:merge_request_iid/notes';
  router.on('GET', base, (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    const orderBy = ctx.query.get('order_by') ?? 'created_at';
    const sort = ctx.query.get('sort') ?? 'desc';
    if (!['created_at', 'updated_at'].includes(orderBy))
      throw new ApiError(400, { error: 'order_by does not have a valid value' });
    if (!['asc', 'desc'].includes(sort)) throw new ApiError(400, { error: 'sort does not have a valid value' });
    const key = (n: SimNote) => (orderBy === 'updated_at' ? n.updatedAt : n.createdAt);
    const list = [...mr.notes].sort((a, b) => {
      const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id;
      return sort === 'asc' ? c : -c;
    });
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((n) => noteEntity(ctx, project, mr, n)) };
  });

  router.on('GET', `${base}/:note_id`, (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    return json(noteEntity(ctx, project, mr, findNote(ctx, mr)));
  });

  router.on('POST', base, (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    ctx.services.requireAccess(ctx, project, ACCESS.guest);
    const p = new Params(ctx.body);
    p.require(['body'], { allowBlank: false });
    const body = p.str('body') as string;
    if (body.length > 1_000_000)
      throw new ApiError(400, { message: { note: ['is too long (maximum is 1000000 characters)'] } });
    const { text, actions } = extractQuickActions(body);
    const executed = actions.length ? execute(ctx, project, mr, actions) : undefined;
    if (executed && !text) {
      return json({ commands_changes: executed.changes, summary: executed.summary }, 202);
    }
    const now = ctx.clock.iso();
    const note: SimNote = {
      id: ctx.state.nextId('note'),
      body: text,
      authorId: (ctx.user as NonNullable<RequestContext['user']>).id,
      createdAt: now,
      updatedAt: now,
      system: false,
      internal: p.bool('internal') ?? false,
    };
    mr.notes.push(note);
    const entity = noteEntity(ctx, project, mr, note);
    return json(executed ? { ...entity, commands_changes: executed.changes } : entity, 201);
  });

  router.on('PUT', `${base}/:note_id`, (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    const note = findNote(ctx, mr);
    if (
      !ctx.user ||
      (note.authorId !== ctx.user.id && ctx.state.accessLevel(project, ctx.user.id) < ACCESS.maintainer)
    ) {
      throw unauthorized();
    }
    const p = new Params(ctx.body);
    p.require(['body'], { allowBlank: false });
    note.body = p.str('body') as string;
    note.updatedAt = ctx.clock.iso();
    return json(noteEntity(ctx, project, mr, note));
  });

  router.on('DELETE', `${base}/:note_id`, (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    const note = findNote(ctx, mr);
    if (
      !ctx.user ||
      (note.authorId !== ctx.user.id && ctx.state.accessLevel(project, ctx.user.id) < ACCESS.maintainer)
    ) {
      throw unauthorized();
    }
    mr.notes.splice(mr.notes.indexOf(note), 1);
    return { status: 204 };
  });
}
