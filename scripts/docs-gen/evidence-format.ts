/**
 * docs/generated/evidence-format.md and docs/generated/evidence.schema.json: the evidence
 * bundle format, generated from `evidenceJsonSchema()` of @hotfix-release/evidence (types,
 * required fields, limits) with the TSDoc of the zod schemas in packages/evidence/src/schema
 * (what each record proves, field comments).
 */
import { join } from 'node:path';
import { evidenceJsonSchema, SCHEMA_VERSION } from '@hotfix-release/evidence';
import ts from 'typescript';
import { cell, docSummary, propertyName, readSource, walk } from './ts-source.js';

type Json = { [k: string]: unknown };

/** The schema text written to docs/generated/evidence.schema.json. */
export function evidenceSchemaText(): string {
  return `${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`;
}

/** Named primitive string formats, recognised by their JSON Schema pattern at fields known to use them. */
function namedPatterns(schema: Json): Map<string, string> {
  const at = (...path: string[]): unknown =>
    path.reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as Json)[k] : undefined), schema);
  const named: [unknown, string][] = [
    [
      (at('properties', 'hotfixes', 'items', 'properties', 'commits', 'items', 'properties', 'sha') as Json)?.pattern,
      'git SHA',
    ],
    [(at('properties', 'gitlabUrl') as Json)?.pattern, 'http(s) URL'],
    [(at('properties', 'settings', 'properties', 'orchestrationProject') as Json)?.pattern, 'project path'],
    [(at('properties', 'digest') as Json)?.pattern, '`sha256:` digest'],
    [(at('properties', 'startedAt') as Json)?.pattern, 'ISO 8601 UTC time'],
  ];
  return new Map(named.filter((n): n is [string, string] => typeof n[0] === 'string'));
}

/** Set from the schema at the start of each page generation. */
let NAMED_PATTERNS = new Map<string, string>();

interface SchemaConst {
  readonly summary: string;
  /** The object literals that define its fields (an `.extend` chain gives several). */
  readonly literals: readonly ts.ObjectLiteralExpression[];
}

/** Every `export const xSchema = …` of the evidence schema files, with its summary and field literals. */
function schemaConsts(root: string): Map<string, SchemaConst> {
  const decls = new Map<string, { node: ts.VariableStatement; init: ts.Expression }>();
  for (const file of ['primitives.ts', 'target-records.ts', 'bundle-schema.ts']) {
    const sf = readSource(join(root, 'packages/evidence/src/schema', file));
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.initializer) decls.set(d.name.text, { node: st, init: d.initializer });
    }
  }
  // `z.object({ ...bundleHeaderShape, … })`: a spread of a shared field literal documents its fields too.
  const spreadLiterals = (lit: ts.ObjectLiteralExpression): ts.ObjectLiteralExpression[] =>
    lit.properties.flatMap((p) => {
      if (!ts.isSpreadAssignment(p) || !ts.isIdentifier(p.expression)) return [];
      const init = decls.get(p.expression.text)?.init;
      return init && ts.isObjectLiteralExpression(init) ? [init] : [];
    });
  const literalsOf = (e: ts.Expression, seen: Set<string>): ts.ObjectLiteralExpression[] => {
    if (ts.isIdentifier(e)) {
      const d = decls.get(e.text);
      if (!d || seen.has(e.text)) return [];
      return literalsOf(d.init, new Set([...seen, e.text]));
    }
    if (ts.isCallExpression(e)) {
      const own = e.arguments.filter(ts.isObjectLiteralExpression).flatMap((l) => [l, ...spreadLiterals(l)]);
      const callee = e.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        if (callee.name.text === 'object' || callee.name.text === 'strictObject') return own;
        return [...own, ...literalsOf(callee.expression, seen)];
      }
      return own;
    }
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return literalsOf(e.expression, seen);
    return [];
  };
  const out = new Map<string, SchemaConst>();
  for (const [name, d] of decls)
    out.set(name, { summary: docSummary(d.node), literals: literalsOf(d.init, new Set()) });
  return out;
}

function findProp(literals: readonly ts.ObjectLiteralExpression[], name: string): ts.PropertyAssignment | undefined {
  for (const lit of literals)
    for (const p of lit.properties) if (ts.isPropertyAssignment(p) && propertyName(p.name) === name) return p;
  return undefined;
}

/**
 * The schema constant an initializer IS, through wrappers: `pickRecordSchema.optional()`,
 * `z.array(conflictResolutionSchema).max(100)` → the constant; `z.object({ … })` → none.
 */
function referencedConst(init: ts.Expression, consts: Map<string, SchemaConst>): string | undefined {
  if (ts.isIdentifier(init)) return consts.get(init.text)?.literals.length ? init.text : undefined;
  if (ts.isParenthesizedExpression(init)) return referencedConst(init.expression, consts);
  if (!ts.isCallExpression(init) || !ts.isPropertyAccessExpression(init.expression)) return undefined;
  const method = init.expression.name.text;
  if (method === 'array' && init.arguments[0]) return referencedConst(init.arguments[0], consts);
  if (['optional', 'nullable', 'nullish', 'min', 'max', 'default', 'readonly'].includes(method))
    return referencedConst(init.expression.expression, consts);
  return undefined;
}

/** The first schema constant named anywhere in an initializer (for `observationSchema.extend({…})`). */
function mentionedConst(init: ts.Expression, consts: Map<string, SchemaConst>): string | undefined {
  let found: string | undefined;
  walk(init, (n) => {
    if (!found && ts.isIdentifier(n) && consts.get(n.text)?.literals.length) found = n.text;
  });
  return found;
}

/** The object literals nested in an initializer (`z.array(z.object({…}))`, `observationSchema.extend({…})`). */
function nestedLiterals(init: ts.Expression, consts: Map<string, SchemaConst>): ts.ObjectLiteralExpression[] {
  const own: ts.ObjectLiteralExpression[] = [];
  walk(init, (n) => {
    if (ts.isObjectLiteralExpression(n) && !own.some((o) => o.pos <= n.pos && n.end <= o.end)) own.push(n);
  });
  const ref = mentionedConst(init, consts);
  return [...own, ...(ref ? (consts.get(ref)?.literals ?? []) : [])];
}

/** Strips `null` branches: returns the non-null schema and whether null is allowed. */
function unwrapNullable(node: Json): { node: Json; nullable: boolean } {
  const any = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (any) {
    const rest = any.filter((b) => b.type !== 'null');
    if (rest.length === 1 && rest.length < any.length) return { node: rest[0] as Json, nullable: true };
  }
  return { node, nullable: false };
}

function typeOf(node: Json): string {
  const any = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (any) return any.map(typeOf).join(' or ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ');
  if (node.type === 'string') {
    const named = typeof node.pattern === 'string' ? NAMED_PATTERNS.get(node.pattern) : undefined;
    if (named) return named;
    if (node.format === 'date-time') return 'ISO 8601 UTC time';
    return 'string';
  }
  if (node.type === 'array') return `array of ${typeOf((node.items as Json) ?? {})}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object')
    return `map of ${typeOf(node.additionalProperties as Json)}`;
  if (node.type === 'null') return 'null';
  if (typeof node.type === 'string') return node.type;
  return 'any';
}

function limits(node: Json): string {
  const out: string[] = [];
  const range = (lo: unknown, hi: unknown, unit: string) => {
    if (lo !== undefined && hi !== undefined) out.push(`${lo}–${hi} ${unit}`);
    else if (lo !== undefined) out.push(`≥ ${lo} ${unit}`);
    else if (hi !== undefined) out.push(`≤ ${hi} ${unit}`);
  };
  range(node.minItems, node.maxItems, 'items');
  range(node.minLength, node.maxLength, 'chars');
  const hi = typeof node.maximum === 'number' && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const lo = node.minimum ?? (node.exclusiveMinimum === 0 ? 1 : undefined);
  if (lo !== undefined || hi !== undefined) range(lo, hi, '');
  if (typeof node.pattern === 'string' && !NAMED_PATTERNS.has(node.pattern) && node.pattern.length <= 40)
    out.push(`pattern \`${node.pattern}\``);
  return out.join('; ').replace(/ ;/g, ';').trim();
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly limits: string;
  readonly description: string;
}

/** A section of the page: one schema constant rendered as one table. */
interface Section {
  readonly constName: string;
  readonly title: string;
  readonly anchor: string;
  readonly where: string;
}

function rows(
  node: Json,
  literals: readonly ts.ObjectLiteralExpression[],
  prefix: string,
  consts: Map<string, SchemaConst>,
  sections: Map<string, Section>,
  self: string,
): Row[] {
  const props = (node.properties ?? {}) as Record<string, Json>;
  const required = new Set((node.required ?? []) as string[]);
  const out: Row[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    const { node: inner, nullable } = unwrapNullable(raw);
    const prop = findProp(literals, name);
    const ref = prop ? referencedConst(prop.initializer, consts) : undefined;
    const linked = ref && ref !== self ? sections.get(ref) : undefined;
    const isArray = inner.type === 'array';
    const element = isArray ? unwrapNullable((inner.items as Json) ?? {}).node : inner;
    let type = typeOf(inner);
    if (linked) type = `${isArray ? 'array of ' : ''}[${linked.title}](#${linked.anchor})`;
    else if (element.type === 'object' && element.properties) type = isArray ? 'array of objects' : 'object';
    const description = prop ? docSummary(prop) : '';
    out.push({
      path: `${path}${isArray ? '[]' : ''}`,
      type: `${type}${nullable ? ' or null' : ''}`,
      required: required.has(name),
      limits: limits(inner),
      description,
    });
    if (!linked && element.type === 'object' && element.properties) {
      const nested = prop ? nestedLiterals(prop.initializer, consts) : [];
      out.push(...rows(element, nested, `${path}${isArray ? '[]' : ''}.`, consts, sections, self));
    }
  }
  return out;
}

/** `deployedShaRecordSchema` → `Deployed SHA record`. */
function titleOf(constName: string): string {
  const words = constName
    .replace(/Schema$/, '')
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase()
    .replace(/\bsha\b/g, 'SHA')
    .trim();
  return `${words[0]?.toUpperCase()}${words.slice(1)}`;
}

/** Renders docs/generated/evidence-format.md. */
export function evidenceFormatPage(root: string): string {
  const schema = evidenceJsonSchema() as Json;
  NAMED_PATTERNS = namedPatterns(schema);
  const consts = schemaConsts(root);
  const targetNode = ((schema.properties as Record<string, Json>).targets?.items ?? {}) as Json;
  const targetLits = consts.get('targetRecordSchema')?.literals ?? [];
  const sections = new Map<string, Section>();
  const addSection = (constName: string, title: string, where: string) =>
    sections.set(constName, { constName, title, anchor: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'), where });
  addSection('promotionBundleSchema', 'Bundle', 'The whole document');
  addSection('targetRecordSchema', 'Target', '`targets[]`');
  const recordOrder: { name: string; node: Json }[] = [];
  for (const [name, raw] of Object.entries((targetNode.properties ?? {}) as Record<string, Json>)) {
    const prop = findProp(targetLits, name);
    const ref = prop ? referencedConst(prop.initializer, consts) : undefined;
    if (!ref || sections.has(ref)) continue;
    const { node } = unwrapNullable(raw);
    const isArray = node.type === 'array';
    addSection(ref, titleOf(ref), `\`targets[].${name}${isArray ? '[]' : ''}\``);
    recordOrder.push({ name, node: isArray ? unwrapNullable((node.items as Json) ?? {}).node : node });
  }

  const table = (list: Row[]) => [
    '| field | type | required | limits | notes |',
    '| ----- | ---- | -------- | ------ | ----- |',
    ...list.map(
      (r) =>
        `| \`${r.path}\` | ${r.type} | ${r.required ? 'yes' : 'no'} | ${cell(r.limits) || '–'} | ${cell(r.description) || ''} |`,
    ),
  ];
  const section = (constName: string, node: Json) => {
    const s = sections.get(constName);
    if (!s) return [];
    const c = consts.get(constName);
    return [
      `## ${s.title}`,
      '',
      `${s.where}; schema \`${constName}\`. ${cell(c?.summary ?? '')}`,
      '',
      ...table(rows(node, c?.literals ?? [], '', consts, sections, constName)),
      '',
    ];
  };

  const lines = [
    '---',
    'title: Evidence format',
    'group: Reference (generated)',
    '---',
    '',
    '# Evidence format',
    '',
    '<!-- Generated by `pnpm run docs:generate` (scripts/docs-generate.ts). Do not edit: a test fails when this file is stale. -->',
    '',
    `Schema version written: \`${SCHEMA_VERSION}\`. A promotion's evidence is ONE JSON document, the *bundle*: who ran`,
    'it, against which GitLab, for which MR, and per target project (D4) one record per runbook step. The tables below',
    'are generated from `evidenceJsonSchema()` of `@hotfix-release/evidence` (the JSON Schema, draft 2020-12, also',
    'committed as [evidence.schema.json](./evidence.schema.json) for ajv and other tools) and from the TSDoc of the',
    'zod schemas it is built from. Every record that observes GitLab has `apiUrl` (where it was read) and `observedAt`',
    '(when). Records of steps that have not happened yet are absent, so a partial bundle rebuilt from a journal is valid.',
    'Validate a bundle with `parseBundle(value)`, which also checks what JSON Schema cannot express (URLs without',
    'credentials).',
    '',
    'Sections: ' + [...sections.values()].map((s) => `[${s.title}](#${s.anchor})`).join(' · '),
    '',
    ...section('promotionBundleSchema', schema),
    ...section('targetRecordSchema', targetNode),
    ...recordOrder.flatMap((r) => {
      const s = [...sections.values()].find((x) => x.where.startsWith(`\`targets[].${r.name}`));
      return s ? section(s.constName, r.node) : [];
    }),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
