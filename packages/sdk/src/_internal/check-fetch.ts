/**
 * The one way a health or smoke check reads staging: the operator's headers (from user-level
 * configuration, never from a repository) are sent with the request, and a redirect is followed
 * only to the same origin, at most {@link MAX_CHECK_REDIRECTS} times. A redirect to another origin
 * is a failure that names both origins: following it would hand the headers (a staging
 * credential) to a host nobody configured.
 */

/** Most same-origin redirects a check follows. */
export const MAX_CHECK_REDIRECTS = 5;

/** The answer a check reads, or why it did not get one it may read. */
export type CheckFetchResult =
  | { readonly kind: 'response'; readonly response: Response; readonly url: string; readonly redirects: number }
  | { readonly kind: 'refused'; readonly problem: string };

/** Requests `url`, following same-origin redirects (GET after 301/302/303, as browsers do). */
export async function fetchCheck(
  doFetch: typeof fetch,
  url: string,
  init: {
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
  },
  maxRedirects: number = MAX_CHECK_REDIRECTS,
): Promise<CheckFetchResult> {
  let current = url;
  let method = init.method ?? 'GET';
  const origin = new URL(url).origin;
  for (let redirects = 0; ; redirects++) {
    const response = await doFetch(current, {
      method,
      headers: { ...init.headers },
      redirect: 'manual',
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (response.status < 300 || response.status > 399 || response.status === 304) {
      return { kind: 'response', response, url: current, redirects };
    }
    const location = response.headers.get('location');
    await response.body?.cancel().catch(() => undefined);
    if (location === null) return { kind: 'response', response, url: current, redirects };
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return { kind: 'refused', problem: `HTTP ${response.status} redirect to an invalid location` };
    }
    if (next.origin !== origin) {
      return {
        kind: 'refused',
        problem: `HTTP ${response.status} redirects from ${origin} to another origin (${next.origin}); cross-origin redirects are not followed (they would carry the check's headers elsewhere): configure the final URL`,
      };
    }
    if (redirects >= maxRedirects) {
      return { kind: 'refused', problem: `more than ${maxRedirects} redirects (last to ${next.pathname})` };
    }
    if (response.status === 301 || response.status === 302 || response.status === 303) {
      if (method !== 'HEAD') method = 'GET';
    }
    current = next.toString();
  }
}
