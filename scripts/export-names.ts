/**
 * The names an entry point exports, read from its syntax: `name` for a value, `type Name` for a
 * type-only export. Each package's export snapshot test pins this sorted list, so a change of
 * public surface shows up in review. Entry points are explicit named re-exports (house style:
 * no `export *`), which is what this reads.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** Sorted export names of one entry file; type-only exports are prefixed with `type `. */
export function exportNames(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const names: string[] = [];
  for (const statement of sf.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    const clause = statement.exportClause;
    if (!clause || !ts.isNamedExports(clause))
      throw new Error(`${file}: \`export *\` is not allowed in an entry point`);
    for (const el of clause.elements)
      names.push(statement.isTypeOnly || el.isTypeOnly ? `type ${el.name.text}` : el.name.text);
  }
  return names.sort((a, b) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, '')));
}
