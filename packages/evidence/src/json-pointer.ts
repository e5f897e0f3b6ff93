/**
 * Builds an RFC 6901 JSON Pointer from path segments (`~` and `/` escaped).
 *
 * @example
 * ```ts
 * toJsonPointer(['targets', 0, 'pipeline', 'inputs', 'a/b']); // '/targets/0/pipeline/inputs/a~1b'
 * ```
 */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((seg) => `/${String(seg).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
