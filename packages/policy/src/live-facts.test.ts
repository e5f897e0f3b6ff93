import { describe, expect, it } from 'vitest';
import { baseOptions, buildPromotionBundle, checkValue, fakeSha, signed } from '../test/policy-fixtures.js';
import type { LiveFacts, LiveFactsQuery } from './live-facts.js';

const bundle = buildPromotionBundle();

/** A fake provider answering from the fixture, as GitLab would after a clean promotion. */
function agreeing(
  over: (q: LiveFactsQuery) => Record<string, unknown> = () => ({}),
): LiveFacts & { queries: LiveFactsQuery[] } {
  const queries: LiveFactsQuery[] = [];
  const fn = async (q: LiveFactsQuery) => {
    queries.push(q);
    const t = bundle.targets.find((x) => x.project === q.target);
    return {
      pipelineInputs: t?.pipeline?.inputs ?? null,
      deployedSha: t?.deployedSha?.environment.sha ?? null,
      labelPresent: t?.label?.present ?? false,
      note: t?.note ? { bodyDigest: t.note.bodyDigest } : null,
      ...over(q),
    } as never;
  };
  return Object.assign(fn, { queries });
}

async function liveResults(live: LiveFacts) {
  const report = await checkValue(signed(bundle), { ...baseOptions, live });
  return report.results.filter((r) => r.id === 'live-facts');
}

describe('live-facts', () => {
  it('passes when GitLab agrees, and asks about each promoted target', async () => {
    const live = agreeing();
    expect((await liveResults(live)).map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(live.queries.map((q) => [q.target, q.pipeline?.id, q.environment, q.label])).toEqual([
      ['fleet/charging-api', 5000, 'staging', 'Validated in Staging'],
      ['fleet/billing-api', 5001, 'staging', 'Validated in Staging'],
    ]);
  });

  it.each([
    [
      'pipeline inputs',
      { pipelineInputs: { action: 'bring-all-code-to-release-branch', project: 'fleet/charging-api', confirm: true } },
      '/targets/0/pipeline/inputs',
    ],
    ['deployed SHA', { deployedSha: fakeSha('rolled-forward') }, '/targets/0/deployedSha/environment/sha'],
    ['label', { labelPresent: false }, '/targets/0/label/present'],
    ['note', { note: null }, '/targets/0/note/bodyDigest'],
  ])('fails on a disagreement about the %s', async (what, patch, pointer) => {
    const results = await liveResults(agreeing((q) => (q.target === 'fleet/charging-api' ? patch : {})));
    expect(results.map((r) => r.status)).toEqual(['fail', 'pass']);
    expect(results[0]?.message).toContain(what);
    expect(results[0]?.pointer).toBe(pointer);
  });

  it('is an error when the provider throws, hangs past the timeout or returns an invalid snapshot', async () => {
    const throwing: LiveFacts = async () => {
      throw new Error('401 Unauthorized');
    };
    expect((await liveResults(throwing)).map((r) => [r.status, r.message])).toEqual([
      ['error', 'live facts could not be read: 401 Unauthorized'],
      ['error', 'live facts could not be read: 401 Unauthorized'],
    ]);
    const hanging: LiveFacts = () => new Promise(() => undefined);
    const report = await checkValue(signed(bundle), { ...baseOptions, live: hanging, liveTimeoutMs: 20 });
    expect(report.results.filter((r) => r.id === 'live-facts').map((r) => r.message)).toEqual([
      'live facts could not be read: no answer within 20 ms',
      'live facts could not be read: no answer within 20 ms',
    ]);
    const invalid = (async () => ({ deployedSha: 'nope' })) as unknown as LiveFacts;
    expect((await liveResults(invalid)).map((r) => r.status)).toEqual(['error', 'error']);
  });
});
