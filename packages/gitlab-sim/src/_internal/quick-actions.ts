/** One quick action found in a note body. */
export interface QuickAction {
  readonly name: string;
  readonly arg: string;
}

/** The quick actions the simulator executes on merge request notes. */
export const SUPPORTED_QUICK_ACTIONS = [
  'label',
  'labels',
  'unlabel',
  'remove_label',
  'relabel',
  'title',
  'close',
  'reopen',
  'approve',
  'unapprove',
] as const;

/**
 * Splits a note body into its quick actions and the remaining text, as GitLab does: a line
 * that starts with `/<known command>` outside a fenced code block is a command and is
 * removed from the note; unknown `/words` stay as text.
 */
export function extractQuickActions(body: string): { text: string; actions: QuickAction[] } {
  const actions: QuickAction[] = [];
  const kept: string[] = [];
  let fenced = false;
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^\/([a-z_]+)(?:[ \t]+(.*))?$/i.exec(line.trimEnd());
    const name = m?.[1]?.toLowerCase();
    if (m && name && (SUPPORTED_QUICK_ACTIONS as readonly string[]).includes(name)) {
      actions.push({ name, arg: (m[2] ?? '').trim() });
    } else {
      kept.push(line);
    }
  }
  return { text: kept.join('\n').trim(), actions };
}

/** Parses label references: `~foo ~"two words" bar` → `['foo', 'two words', 'bar']`. */
export function parseLabelRefs(arg: string): string[] {
  const names: string[] = [];
  const re = /~?"([^"]+)"|~?(\S+)/g;
  for (let m = re.exec(arg); m; m = re.exec(arg)) {
    const name = (m[1] ?? m[2] ?? '').trim();
    if (name) names.push(name);
  }
  return names;
}

/** How GitLab renders a label reference in quick-action summaries. */
export function labelRef(name: string): string {
  return /^[\w-]+$/.test(name) ? `~${name}` : `~"${name}"`;
}
