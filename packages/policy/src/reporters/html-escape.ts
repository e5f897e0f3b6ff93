/**
 * Escaping for the HTML report: every value that comes from a bundle goes through {@link text} (element
 * content and attribute values alike), and only http(s) URLs become links ({@link link}). Internal.
 */

// Bidi embeddings/overrides/isolates and marks, zero-width characters, C0/C1 controls (tab and newline
// excepted): shown as visible code points so that a value cannot reorder or hide the text around it.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for element content or a quoted attribute; invisible and bidi characters become visible. */
export function text(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return s
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    .replace(INVISIBLE, (c) => {
      const cp = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      return `<span class="cp" role="img" aria-label="control character ${cp}">⟨${cp}⟩</span>`;
    });
}

/** The URL when it is an absolute http(s) URL without credentials, else `undefined`. */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  // Attribute-safe: URL serialisation percent-encodes quotes, spaces and angle brackets.
  return url.href;
}

/** A link when the URL is http(s), else the label as plain text (the URL is never dropped silently). */
export function link(url: unknown, label: string): string {
  const href = safeUrl(url);
  if (!href)
    return typeof url === 'string' && url
      ? `${label} <span class="muted">(not a web link: ${text(url)})</span>`
      : label;
  return `<a href="${text(href)}" rel="noopener noreferrer">${label}</a>`;
}

/** An ISO 8601 time as a `<time>` element; anything else (an absent time, its reason) as text. */
export function time(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(value)) {
    return `<time datetime="${text(value)}">${text(value.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>`;
  }
  if (value && typeof value === 'object') {
    const reason = (value as { reason?: unknown }).reason;
    return `<span class="muted">not reported${typeof reason === 'string' ? `: ${text(reason)}` : ''}</span>`;
  }
  return '<span class="muted">not recorded</span>';
}

/** A git SHA shortened to 12 characters, the full value kept for screen readers and copy. */
export function sha(value: unknown): string {
  if (typeof value !== 'string' || !value) return '<span class="muted">—</span>';
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(value)) return `<code>${text(value)}</code>`;
  return `<code title="${value}"><span aria-hidden="true">${value.slice(0, 12)}</span><span class="sr">${value}</span></code>`;
}

/** A JSON Pointer in `<code>`, with break opportunities after each slash. */
export function pointer(value: string): string {
  return `<code class="ptr">${text(value || '/')
    .split('/')
    .join('/<wbr>')}</code>`;
}
