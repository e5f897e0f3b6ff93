/**
 * Fitting one status line to a terminal's width. The live display redraws a single line with
 * `\r` and erase-line; that is exact only while the line never wraps, so every line is cut to
 * the width (URLs shortened in the middle first) before it is drawn.
 *
 * Why not `log-update`: it redraws a block by counting the rows the previous text wrapped into,
 * and leaves wrapping to the terminal; we need the opposite (never wrap, shorten URLs so their
 * host and their last path segments stay readable), and then a redraw is one erase-line.
 */
import { stripVTControlCharacters } from 'node:util';

/**
 * How many columns a code point takes, erring wide: a line measured too wide is cut a little
 * early, a line measured too narrow wraps and leaves debris, so anything not known to be narrow
 * counts as two.
 */
function cellWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1; // ASCII and Latin
  if (cp < 0x370) return 0; // combining diacritical marks
  if (cp < 0x1100) return 1; // Greek, Cyrillic, Hebrew, Arabic, Indic and other narrow scripts
  if (cp >= 0x2000 && cp < 0x2e80 && !(cp >= 0x231a && cp < 0x23ff) && !(cp >= 0x2600 && cp < 0x27c0)) return 1;
  return 2; // CJK, Hangul, fullwidth forms, emoji and everything unknown
}

// C0 and C1 controls (ESC starts terminal escape sequences) and the bidi overrides/isolates that
// reorder what a terminal shows: text from GitLab (an MR title, a job name) must not drive the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Makes text from outside safe to print on a terminal: every control character shown as its escape (`\\u001b`). */
export function inert(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** The number of terminal columns `text` takes (escape sequences take none). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of stripVTControlCharacters(text)) w += cellWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cuts plain text to at most `width` columns, ending with `…` when it had to cut. */
export function truncateEnd(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = cellWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/**
 * Shortens a URL to at most `width` columns by cutting its middle: the scheme and host stay, and
 * as much of the end (the pipeline or job number) as fits.
 */
export function shortenMiddle(url: string, width: number): string {
  if (displayWidth(url) <= width) return url;
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)(.*)$/i.exec(url);
  const head = m?.[1] ?? '';
  const tail = m?.[2] ?? url;
  const room = width - displayWidth(head) - 1;
  if (!m || room < 8) return truncateEnd(url, width);
  const chars = [...tail];
  let end = '';
  for (let i = chars.length - 1; i >= 0 && displayWidth(end) + displayWidth(chars[i] ?? '') <= room; i--)
    end = `${chars[i]}${end}`;
  return `${head}…${end}`;
}

/** One status line's parts: a prefix that must stay (spinner, clock), the text, an optional link. */
export interface StatusParts {
  readonly prefix: string;
  readonly text: string;
  readonly link?: string | undefined;
}

/**
 * The status line for a terminal `columns` wide: never wider than `columns - 1` (the last column
 * makes some terminals wrap early). The link is shortened in the middle first, then dropped, then
 * the text is cut. Only `prefix` may hold escape sequences; `paintLink` colours the link.
 */
export function fitStatus(parts: StatusParts, columns: number, paintLink: (s: string) => string = (s) => s): string {
  const room = Math.max(1, columns - 1);
  const prefixWidth = displayWidth(parts.prefix);
  const textRoom = room - prefixWidth - 1;
  if (textRoom <= 0) return truncateEnd(stripVTControlCharacters(parts.prefix), room);
  const text = parts.text;
  const textWidth = displayWidth(text);
  if (parts.link && textWidth + 1 <= textRoom) {
    const linkRoom = textRoom - textWidth - 1;
    if (displayWidth(parts.link) <= linkRoom || linkRoom >= 24)
      return `${parts.prefix} ${text} ${paintLink(shortenMiddle(parts.link, linkRoom))}`;
  }
  return `${parts.prefix} ${truncateEnd(text, textRoom)}`;
}
