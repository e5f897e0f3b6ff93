/**
 * The import graph of every module under `packages/`, and its cycles. Every edge counts: value
 * imports, `import type`, `export … from`, dynamic `import()` and `typeof import()` types,
 * because a type-only loop still ties modules together for a reader and for declaration
 * bundling. Imports of another workspace package follow its source entry point, so a cycle
 * across packages is caught too. Used by `check-import-cycles.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** Source entry points of each workspace package, by import specifier. */
function workspaceEntries(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkgFile = join(root, 'packages', dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
      name: string;
      exports?: Record<string, { '@hotfix-release/source'?: string } | string>;
    };
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const source = typeof target === 'object' ? target['@hotfix-release/source'] : undefined;
      if (source)
        entries.set(sub === '.' ? pkg.name : `${pkg.name}${sub.slice(1)}`, join(root, 'packages', dir, source));
    }
  }
  return entries;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names, however it names it. */
function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found.push(arg.literal.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function resolveSpecifier(from: string, spec: string, entries: Map<string, string>): string | undefined {
  if (entries.has(spec)) return entries.get(spec);
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec).replace(/\.(m?js|ts)$/, '');
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => existsSync(p));
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

/** The cycles among the modules of `root`/packages, each as its sorted absolute file paths. */
export function findImportCycles(root: string): { readonly modules: number; readonly cycles: string[][] } {
  const entries = workspaceEntries(root);
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(join(root, 'packages'))) {
    const targets = new Set<string>();
    for (const spec of specifiers(file)) {
      const target = resolveSpecifier(file, spec, entries);
      if (target) targets.add(target);
    }
    graph.set(file, targets);
  }
  return { modules: graph.size, cycles: cycles(graph) };
}
