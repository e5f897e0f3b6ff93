/**
 * docs/generated/error-codes.md: every error code, preflight finding, policy control and
 * exit code, read from the code itself (the SDK's ErrorDetailsByCode, preflight's findings,
 * the policy's EXIT_CODES, PolicyError and CONTROL_CATALOG, the evidence package's
 * EvidenceError, the CLI's EXIT_CODES) so the page cannot drift from what the tools do.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_CATALOG, EXIT_CODES as POLICY_EXIT_CODES } from '@hotfix-release/policy';
import type { HotfixError } from '@hotfix-release/sdk';
import ts from 'typescript';
import {
  cell,
  docSummary,
  propertyName,
  readSource,
  runbookIdsIn,
  runbookLink,
  trackedFiles,
  walk,
} from './ts-source.js';

/** One SDK error code as documented in errors.ts. */
export interface SdkErrorCode {
  readonly code: string;
  readonly meaning: string;
  readonly runbook: readonly string[];
  readonly details: string;
}

function typeFields(type: ts.TypeNode, sf: ts.SourceFile): string {
  if (ts.isTypeLiteralNode(type)) {
    return type.members
      .map((m) => (m.name ? `${propertyName(m.name) ?? m.name.getText(sf)}${m.questionToken ? '?' : ''}` : ''))
      .filter(Boolean)
      .map((n) => `\`${n}\``)
      .join(', ');
  }
  if (ts.isIntersectionTypeNode(type))
    return type.types
      .map((t) => typeFields(t, sf))
      .filter(Boolean)
      .join(', ');
  return `\`${type.getText(sf)}\``;
}

/** The SDK's error codes: the keys of `ErrorDetailsByCode`, their TSDoc and their detail fields. */
export function sdkErrorCodes(root: string): SdkErrorCode[] {
  return detailCodes(join(root, 'packages/sdk/src/errors.ts'), 'ErrorDetailsByCode');
}

/** The codes of one `…Details` interface (one property per code, typed by its `details`). */
export function detailCodes(path: string, interfaceName: string): SdkErrorCode[] {
  const sf = readSource(path);
  const out: SdkErrorCode[] = [];
  walk(sf, (n) => {
    if (!ts.isInterfaceDeclaration(n) || n.name.text !== interfaceName) return;
    for (const m of n.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const code = propertyName(m.name);
      if (!code) continue;
      const meaning = docSummary(m);
      out.push({ code, meaning, runbook: runbookIdsIn(meaning), details: typeFields(m.type, sf) });
    }
  });
  return out;
}

/** One preflight finding code: severities and runbook IDs it is reported with. */
export interface FindingCode {
  readonly code: string;
  readonly severity: string;
  readonly runbook: string;
}

/** Preflight's finding codes: every object literal with string-literal `code`, `severity` and `runbookRef`. */
export function preflightFindings(root: string): FindingCode[] {
  const sf = readSource(join(root, 'packages/sdk/src/primitives/preflight.ts'));
  const byCode = new Map<string, { severity: Set<string>; runbook: Set<string> }>();
  walk(sf, (n) => {
    if (!ts.isObjectLiteralExpression(n)) return;
    const lit = (key: string) => {
      const p = n.properties.find((q) => ts.isPropertyAssignment(q) && propertyName(q.name) === key);
      return p && ts.isPropertyAssignment(p) && ts.isStringLiteralLike(p.initializer) ? p.initializer.text : undefined;
    };
    const code = lit('code');
    const severity = lit('severity');
    const runbookRef = lit('runbookRef');
    if (!code || !severity || !runbookRef) return;
    const entry = byCode.get(code) ?? { severity: new Set<string>(), runbook: new Set<string>() };
    entry.severity.add(severity);
    entry.runbook.add(runbookRef);
    byCode.set(code, entry);
  });
  return [...byCode].map(([code, e]) => ({
    code,
    severity: [...e.severity].sort().join(', '),
    runbook: [...e.runbook].sort().join(', '),
  }));
}

/** The property names and TSDoc summaries of an interface. */
export function interfaceFields(path: string, name: string): { name: string; doc: string }[] {
  const sf = readSource(path);
  const out: { name: string; doc: string }[] = [];
  walk(sf, (n) => {
    if (!ts.isInterfaceDeclaration(n) || n.name.text !== name) return;
    for (const m of n.members) {
      const key = m.name ? propertyName(m.name) : undefined;
      if (key) out.push({ name: `${key}${m.questionToken ? '?' : ''}`, doc: docSummary(m) });
    }
  });
  return out;
}

/** Whether a file exists and git tracks it (see `trackedFiles`). */
function present(root: string, rel: string): boolean {
  const tracked = trackedFiles(root);
  return existsSync(join(root, rel)) && (!tracked || tracked.has(rel));
}

/** The CLI's exit codes with the TSDoc of each key, when the CLI has its table. */
async function cliExitCodes(root: string): Promise<{ key: string; code: number; meaning: string }[] | undefined> {
  const path = join(root, 'packages/cli-lite/src/exit-codes.ts');
  if (!present(root, 'packages/cli-lite/src/exit-codes.ts')) return undefined;
  const mod = (await import('@hotfix-release/cli')) as { EXIT_CODES?: Record<string, number> };
  const values = mod.EXIT_CODES;
  if (!values) return undefined;
  const sf = readSource(path);
  const out: { key: string; code: number; meaning: string }[] = [];
  walk(sf, (n) => {
    if (!ts.isVariableDeclaration(n) || !ts.isIdentifier(n.name) || n.name.text !== 'EXIT_CODES') return;
    let init = n.initializer;
    while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
    if (!init || !ts.isObjectLiteralExpression(init)) return;
    for (const p of init.properties) {
      const key = p.name ? propertyName(p.name) : undefined;
      if (!key || values[key] === undefined) continue;
      out.push({ key, code: values[key], meaning: docSummary(p) });
    }
  });
  return out;
}

/** The CLI's own problem codes: every `problem({ code: '…', exitCode: EXIT_CODES.x })` call in its sources. */
function cliProblemCodes(
  root: string,
  exitCodes: Record<string, number>,
): { code: string; exit: string; title: string; files: string[] }[] {
  const tracked = trackedFiles(root);
  const dir = 'packages/cli-lite/src';
  const files = [...(tracked ?? [])].filter(
    (f) => f.startsWith(`${dir}/`) && f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const byCode = new Map<string, { exit: Set<string>; title: Set<string>; files: Set<string> }>();
  for (const file of files.sort()) {
    walk(readSource(join(root, file)), (n) => {
      if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== 'problem') return;
      const arg = n.arguments[0];
      if (!arg || !ts.isObjectLiteralExpression(arg)) return;
      const prop = (key: string) =>
        arg.properties.find(
          (q): q is ts.PropertyAssignment => ts.isPropertyAssignment(q) && propertyName(q.name) === key,
        )?.initializer;
      const code = prop('code');
      if (!code || !ts.isStringLiteralLike(code)) return;
      const exit = prop('exitCode');
      const title = prop('title');
      const entry = byCode.get(code.text) ?? {
        exit: new Set<string>(),
        title: new Set<string>(),
        files: new Set<string>(),
      };
      if (exit && ts.isPropertyAccessExpression(exit)) {
        const value = exitCodes[exit.name.text];
        entry.exit.add(value === undefined ? exit.name.text : `${value} (\`${exit.name.text}\`)`);
      } else if (exit) entry.exit.add('varies');
      if (title && ts.isStringLiteralLike(title)) entry.title.add(title.text);
      entry.files.add(file.replace(`${dir}/`, ''));
      byCode.set(code.text, entry);
    });
  }
  return [...byCode]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, e]) => ({
      code,
      exit: [...e.exit].join(', '),
      title: [...e.title].join('; '),
      files: [...e.files],
    }));
}

/** The CLI's exit code for each SDK error code, when the CLI maps them. */
async function cliExitCodeOf(root: string): Promise<((code: string) => number) | undefined> {
  if (!present(root, 'packages/cli-lite/src/sdk-problem.ts')) return undefined;
  const mod = (await import('../../packages/cli-lite/src/sdk-problem.js')) as {
    exitCodeOf?: (e: HotfixError) => number;
  };
  const f = mod.exitCodeOf;
  return f ? (code) => f({ code } as HotfixError) : undefined;
}

const refs = (ids: readonly string[]) => ids.map(runbookLink).join(', ') || '–';

/** Renders docs/generated/error-codes.md. */
export async function errorCodesPage(root: string): Promise<string> {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const exitOf = await cliExitCodeOf(root);
  const cli = await cliExitCodes(root);

  push(
    '---',
    'title: Error codes and exit codes',
    'group: Reference (generated)',
    '---',
    '',
    '# Error codes and exit codes',
    '',
    '<!-- Generated by `pnpm run docs:generate` (scripts/docs-generate.ts). Do not edit: a test fails when this file is stale. -->',
    '',
    'Every code below is read from the source, so this page lists exactly what the tools can report. A message',
    'always names its code and, where one applies, the runbook ID (see [Concepts](../concepts.md)); branch on the',
    'code, never on the message text.',
    '',
  );

  if (cli) {
    push(
      '## Exit codes of the `hotfix` command',
      '',
      'From `EXIT_CODES` in `packages/cli-lite/src/exit-codes.ts`. Codes 0–3 are the policy package’s, so',
      '`hotfix policy check` and the other commands share one table.',
      '',
      '| exit | name | meaning |',
      '| ---: | ---- | ------- |',
      ...cli.map((c) => `| ${c.code} | \`${c.key}\` | ${cell(c.meaning)} |`),
      '',
    );
  }

  if (cli) {
    const values = Object.fromEntries(cli.map((c) => [c.key, c.code]));
    const problems = cliProblemCodes(root, values);
    push(
      '### Problem codes of the `hotfix` command',
      '',
      'With `--json`, errors are RFC 9457 problem details whose `code` member is one of these, or an SDK error code',
      '(next section, with the exit code in its last column), or a policy configuration error code (exit 3). Without',
      '`--json` the same code is in the one line on stderr: `hotfix: <code> [<runbook ID>]: <detail>`.',
      '',
      '| code | exit | title | raised in |',
      '| ---- | ---- | ----- | --------- |',
      ...problems.map(
        (p) =>
          `| \`${p.code}\` | ${p.exit || '–'} | ${cell(p.title) || '–'} | ${p.files.map((f) => `\`${f}\``).join(', ')} |`,
      ),
      '',
    );
  }

  push(
    '## Exit codes of the policy check',
    '',
    `\`EXIT_CODES\` of \`@hotfix-release/policy\`, whose TSDoc says: “${cell(docOfPolicyExitCodes(root))}”`,
    '',
    '| exit | name |',
    '| ---: | ---- |',
    ...Object.entries(POLICY_EXIT_CODES).map(([k, v]) => `| ${v} | \`${k}\` |`),
    '',
  );

  const sdk = sdkErrorCodes(root);
  push(
    '## SDK error codes (`HotfixError.code`)',
    '',
    'From the keys of `ErrorDetailsByCode` in `packages/sdk/src/errors.ts`. Every SDK function returns these as',
    "data (a neverthrow `Err`), never throws them. Every package's errors have one shape: `code`, `message`,",
    '`runbookRef`, `details` (locations as JSON Pointers); the SDK adds `retryable` and `cause`. One `describeError(e)`',
    '(exported by the sdk, policy and evidence packages) renders any of them as `<code> [<runbook ID>]: <message>`.',
    'The runbook column lists the IDs the code is documented with; the error itself carries `runbookRef`.',
    exitOf ? 'The last column is the exit code the `hotfix` command ends with for that error.' : '',
    '',
    exitOf
      ? '| code | runbook | meaning | `details` fields | CLI exit |'
      : '| code | runbook | meaning | `details` fields |',
    exitOf
      ? '| ---- | ------- | ------- | ---------------- | -------: |'
      : '| ---- | ------- | ------- | ---------------- |',
    ...sdk.map(
      (e) =>
        `| \`${e.code}\` | ${refs(e.runbook)} | ${cell(e.meaning)} | ${cell(e.details)} |${exitOf ? ` ${exitOf(e.code)} |` : ''}`,
    ),
    '',
  );

  push(
    'The fields of `GitLabHttpDetails`, carried by every error built from a GitLab HTTP answer:',
    '',
    '| field | meaning |',
    '| ----- | ------- |',
    ...interfaceFields(join(root, 'packages/sdk/src/errors.ts'), 'GitLabHttpDetails').map(
      (f) => `| \`${f.name}\` | ${cell(f.doc)} |`,
    ),
    '',
  );

  const findings = preflightFindings(root);
  push(
    '## Preflight findings (`PreflightFinding.code`)',
    '',
    '`preflight` (and `promoteHotfix` before it changes anything) reports every finding at once. An `error` finding',
    'stops the promotion with `preflight-failed`; a `warning` does not. From `packages/sdk/src/primitives/preflight.ts`.',
    '',
    '| code | severity | runbook |',
    '| ---- | -------- | ------- |',
    ...findings.map((f) => `| \`${f.code}\` | ${f.severity} | ${refs(f.runbook.split(', '))} |`),
    '',
  );

  push(
    '## Policy controls (`CONTROL_CATALOG`)',
    '',
    'Each control of `@hotfix-release/policy`, in evaluation order. Statuses: `pass`, `fail`, `error` (could not',
    'evaluate), `unverified` (rests only on what was sent or reported, not on what was observed; the message says',
    'what would verify it), `not_applicable`, `waived`. An `integrity` control that fails makes the check exit 2; a',
    '`criterion` that fails makes it exit 1, and so does an `unverified` one unless the policy file sets',
    '`orchestration.acceptUnverified` (then it exits 0, still reported as `unverified` with `accepted: true`).',
    'Only waivable controls may be waived, an `unverified` result like a failed one (see [Waivers](../waivers.md)).',
    '',
    '| id | runbook | scope | applies when | waivable | kind | proves | remediation |',
    '| -- | ------- | ----- | ------------ | -------- | ---- | ------ | ----------- |',
    ...CONTROL_CATALOG.map(
      (c) =>
        `| \`${c.id}\` | ${refs([c.runbookRef])} | ${c.scope} | ${c.appliesWhen} | ${c.waivable ? 'yes' : 'no'} | ${c.kind} | ${cell(c.title)} | ${cell(c.remediation)} |`,
    ),
    '',
  );

  push(
    '## Policy configuration errors (`PolicyError.code`, exit 3)',
    '',
    'From `PolicyErrorDetails` in `packages/policy/src/policy-error.ts`: `checkBundles` returns these as `Err`',
    'when its options, trusted keys or waiver file are wrong. Same shape and renderer (`describeError`) as above.',
    '',
    '| code | meaning | `details` fields |',
    '| ---- | ------- | ---------------- |',
    ...detailCodes(join(root, 'packages/policy/src/policy-error.ts'), 'PolicyErrorDetails').map(
      (c) => `| \`${c.code}\` | ${cell(c.meaning)} | ${cell(c.details) || '–'} |`,
    ),
    '',
    '## Evidence errors (`EvidenceError.code`)',
    '',
    'From `EvidenceErrorDetails` in `packages/evidence/src/evidence-error.ts`: returned by `parseBundle`, the',
    'journal, signing and verification. Same shape and renderer (`describeError`) as above.',
    '',
    '| code | meaning | `details` fields |',
    '| ---- | ------- | ---------------- |',
    ...detailCodes(join(root, 'packages/evidence/src/evidence-error.ts'), 'EvidenceErrorDetails').map(
      (c) => `| \`${c.code}\` | ${cell(c.meaning)} | ${cell(c.details) || '–'} |`,
    ),
    '',
  );
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function docOfPolicyExitCodes(root: string): string {
  const sf = readSource(join(root, 'packages/policy/src/exit-code.ts'));
  let text = '';
  walk(sf, (n) => {
    if (ts.isVariableStatement(n) && n.declarationList.declarations.some((d) => d.name.getText(sf) === 'EXIT_CODES'))
      text = docSummary(n);
  });
  return text;
}
