/**
 * Small helpers over the TypeScript compiler API for the docs generators: read a source
 * file, take the summary of a declaration's TSDoc, and pull runbook IDs out of text.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RUNBOOK_IDS, type RunbookId } from '@hotfix-release/evidence';
import ts from 'typescript';

/** Parses one TypeScript file (no type checking: the generators only read syntax and comments). */
export function readSource(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The TSDoc text of a node without its tags, on one line; '' when it has none. */
export function docSummary(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  const last = docs?.at(-1);
  if (!last?.comment) return '';
  const text = typeof last.comment === 'string' ? last.comment : (ts.getTextOfJSDocComment(last.comment) ?? '');
  return oneLine(text.replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, '`$1`'));
}

/** Collapses whitespace so a comment fits one Markdown table cell. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Escapes a value for a Markdown table cell. */
export function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|');
}

/** A runbook ID (or a range such as `E1–E8`, linked at its first ID) as a link into docs/runbook.md, from docs/generated/. */
export function runbookLink(ref: string): string {
  const first = /[UPSDER]\d+/.exec(ref)?.[0];
  return first ? `[${ref}](../runbook.md#${first.toLowerCase()})` : ref;
}

/** The name of a property (identifier or string literal key). */
export function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

const ORDER = new Map<string, number>(RUNBOOK_IDS.map((id, i) => [id, i]));

/**
 * Every runbook ID a text names, ranges such as `E1–E8` or `S2-S7` expanded, in runbook order.
 *
 * @example
 * ```ts
 * runbookIdsIn('@see E1–E3, D4'); // ['D4', 'E1', 'E2', 'E3']
 * ```
 */
export function runbookIdsIn(text: string): RunbookId[] {
  const found = new Set<RunbookId>();
  for (const m of text.matchAll(/\b([UPSDER])(\d)(?:\s?[–-]\s?([UPSDER])(\d))?\b/g)) {
    const [, a, from, b, to] = m;
    if (b !== undefined && b !== a) continue;
    const last = to === undefined ? Number(from) : Number(to);
    for (let n = Number(from); n <= last; n++) {
      const id = `${a}${n}`;
      if (ORDER.has(id)) found.add(id as RunbookId);
    }
  }
  return [...found].sort((x, y) => (ORDER.get(x) ?? 0) - (ORDER.get(y) ?? 0));
}

/** Visits every node of a file depth-first. */
export function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

/**
 * The files git tracks under `root` (relative, `/`-separated), or undefined outside a git
 * checkout. The generators read only tracked files, so a fresh clone (CI) and a working copy
 * with someone's untracked work in progress generate the same pages.
 */
export function trackedFiles(root: string): Set<string> | undefined {
  const r = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return new Set(r.stdout.split('\0').filter(Boolean));
}
