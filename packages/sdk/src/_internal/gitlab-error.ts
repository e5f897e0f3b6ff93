import type { RunbookId } from '@hotfix-release/evidence';
import { type GitLabHttpDetails, type HotfixError, hotfixError } from '../errors.js';

/**
 * Parses any GitLab error body into one shape. GitLab answers errors in at least six
 * forms: `{"message": "..."}`, `{"message": {"field": ["..."]}}`, `{"error": "..."}`,
 * OAuth `{"error", "error_description"}`, cherry-pick/revert `{"message", "error_code"}`,
 * plain text (`Retry later`), and HTML from a proxy.
 */
export function parseGitLabErrorBody(body: unknown): {
  gitlabMessage: string;
  errorCode?: string;
  fieldErrors?: Record<string, string[]>;
} {
  if (typeof body === 'string') return { gitlabMessage: textSummary(body) };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { gitlabMessage: '' };
  const b = body as Record<string, unknown>;
  const out: { gitlabMessage: string; errorCode?: string; fieldErrors?: Record<string, string[]> } = {
    gitlabMessage: '',
  };
  if (typeof b.error_code === 'string') out.errorCode = b.error_code.toLowerCase();
  const message = b.message;
  if (typeof message === 'string') out.gitlabMessage = message;
  else if (message && typeof message === 'object' && !Array.isArray(message)) {
    const fields: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(message as Record<string, unknown>)) {
      fields[k] = Array.isArray(v) ? v.map((x) => String(x)) : [String(v)];
    }
    out.fieldErrors = fields;
    out.gitlabMessage = Object.entries(fields)
      .map(([k, v]) => (k === 'base' || k === 'error' ? v.join(', ') : `${k} ${v.join(', ')}`))
      .join('; ');
  } else if (typeof b.error === 'string') {
    out.gitlabMessage = typeof b.error_description === 'string' ? `${b.error}: ${b.error_description}` : b.error;
  }
  return out;
}

function textSummary(text: string): string {
  const stripped = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return stripped.length > 200 ? `${stripped.slice(0, 200)}…` : stripped;
}

/** Builds the typed error for a non-2xx GitLab answer. */
export function httpError(
  init: { method: string; route: string; status: number; body: unknown; requestId?: string | undefined },
  extra: { runbookRef?: RunbookId; retryAfterMs?: number } = {},
): HotfixError {
  const parsed = parseGitLabErrorBody(init.body);
  const details: GitLabHttpDetails = {
    method: init.method,
    route: init.route,
    status: init.status,
    gitlabMessage: parsed.gitlabMessage,
    ...(parsed.errorCode ? { errorCode: parsed.errorCode } : {}),
    ...(parsed.fieldErrors ? { fieldErrors: parsed.fieldErrors } : {}),
    ...(init.requestId ? { requestId: init.requestId } : {}),
  };
  const what = parsed.gitlabMessage ? `: ${parsed.gitlabMessage}` : '';
  const base = `GitLab answered ${init.status} to ${init.method} ${init.route}${what}`;
  const opts = { runbookRef: extra.runbookRef };
  switch (true) {
    case init.status === 401:
      return hotfixError('gitlab-unauthorized', `${base}. Check that the token is valid and not expired.`, {
        ...opts,
        details,
      });
    case init.status === 403:
      return hotfixError('gitlab-forbidden', `${base}. The token lacks the role or scope this step needs.`, {
        ...opts,
        details,
      });
    case init.status === 404:
      return hotfixError('gitlab-not-found', base, { ...opts, details });
    case init.status === 429:
      return hotfixError('gitlab-rate-limited', `${base}. Rate limited; try again later.`, {
        ...opts,
        retryable: true,
        details: { ...details, retryAfterMs: extra.retryAfterMs },
      });
    case init.status >= 500:
      return hotfixError('gitlab-unavailable', `${base}.`, { ...opts, retryable: true, details });
    default:
      return hotfixError('gitlab-http', base, { ...opts, details });
  }
}
