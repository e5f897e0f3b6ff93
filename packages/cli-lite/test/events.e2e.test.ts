/**
 * `--events ndjson` end to end: a promotion against the simulator streams one JSON value per line
 * on stdout, every line valid against the published schema (docs/generated/cli-events.schema.json),
 * the events in the order they happened, the token nowhere, and the result document last.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

const schemaPath = join(import.meta.dirname, '../../../docs/generated/cli-events.schema.json');
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

let w: CliWorld;
beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix promote --events ndjson', () => {
  it('streams schema-valid events while it works and ends with the result document', async () => {
    const mr = demo.mergeRequests.cleanPick;
    const r = await runCli(
      ['promote', '--mr', `${mr.project}!${mr.iid}`, '--evidence', 'ev.json', '--events', 'ndjson'],
      {
        cwd: w.dir,
        env: w.env,
      },
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const values = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [i, v] of values.entries())
      expect([i, validate(v) ? 'valid' : ajv.errorsText(validate.errors)]).toEqual([i, 'valid']);
    const types = values.slice(0, -1).map((v) => v.type);
    expect(types).toContain('step');
    expect(types).toContain('pipeline-created');
    expect(types).toContain('deployment-finished');
    expect(types.indexOf('pipeline-created')).toBeLessThan(types.indexOf('deployment-finished'));
    const stamps = values.slice(0, -1).map((v) => String(v.at));
    expect([...stamps].sort()).toEqual(stamps);
    expect(values.at(-1)).toMatchObject({ command: 'promote', ok: true, exitCode: 0, promotedTargets: [mr.project] });
    expect(r.stdout).not.toContain(SENTINEL_TOKEN);
    // the human progress is not mixed into the stream
    expect(r.stderr).not.toMatch(/pick .* done/);
  });

  it('ends with a problem document when the command fails before it starts', async () => {
    const r = await runCli(['promote', '--mr', 'not-an-mr', '--events', 'ndjson'], { cwd: w.dir, env: w.env });
    expect(r.code).toBe(64);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? '{}');
    expect(validate(doc)).toBe(true);
    expect(doc).toMatchObject({ code: 'usage', exitCode: 64 });
  });
});
