/**
 * Every generated documentation file, keyed by its path relative to the repository root.
 * `scripts/docs-generate.ts` writes them; `examples/docs-generated.test.ts` fails when the
 * committed files differ, so the docs cannot drift from the code.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliEventsJsonSchema } from '@hotfix-release/cli';
import { errorCodesPage } from './error-codes.js';
import { evidenceFormatPage, evidenceSchemaText } from './evidence-format.js';
import { policySchemaText } from './policy-schema.js';
import { runbookCoveragePage } from './runbook-coverage.js';

/**
 * Formats Markdown as `biome check` would (tables aligned), so the committed file is both
 * what the generator writes and what the linter accepts.
 */
function biomeFormat(root: string, path: string, text: string): string {
  const bin = join(root, 'node_modules/.bin/biome');
  const r = spawnSync(bin, ['format', `--stdin-file-path=${path}`], { cwd: root, input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`biome format ${path}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Generates every file under docs/generated/ from the code under `root`. */
export async function generateDocs(root: string): Promise<Map<string, string>> {
  const md = (path: string, text: string): [string, string] => [path, biomeFormat(root, path, text)];
  return new Map([
    md('docs/generated/error-codes.md', await errorCodesPage(root)),
    md('docs/generated/evidence-format.md', evidenceFormatPage(root)),
    ['docs/generated/evidence.schema.json', evidenceSchemaText()],
    ['docs/generated/policy.schema.json', policySchemaText()],
    ['docs/generated/cli-events.schema.json', `${JSON.stringify(cliEventsJsonSchema(), null, 2)}\n`],
    md('docs/generated/runbook-coverage.md', runbookCoveragePage(root)),
  ]);
}
