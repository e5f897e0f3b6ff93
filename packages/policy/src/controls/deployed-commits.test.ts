import type { PromotionBundle } from '@hotfix-release/evidence';
/** E1/E5 on what staging really ran (issue 23 item 3): the deployed set must be exactly this promotion's picks. */
import { canonicalJson, signEnvelope, toStatement } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { buildLegacyBundle } from '../../../evidence/test/promotion-bundle-fixture.js';
import {
  A,
  buildPromotionBundle,
  checkValue,
  clone,
  failing,
  fakeSha,
  keys,
  mutateTarget,
  seal,
  signed,
  withStatus,
} from '../../test/policy-fixtures.js';
import { expectedDeployedCommits } from './deployed-commits.js';

const result = (r: Awaited<ReturnType<typeof checkValue>>, id: string) =>
  r.results.find((c) => c.id === id && c.target === A);

describe('E1/E5: the deployed commit set', () => {
  it('the honest bundle passes and says staging ran exactly its pick', async () => {
    const r = await checkValue(signed(clone(buildPromotionBundle())));
    expect(failing(r)).toEqual([]);
    expect(result(r, 'E1')?.message).toContain('staging ran exactly its 1 pick(s) beyond release');
    expect(result(r, 'E5')?.message).toContain('staging ran exactly its 1 pick(s) beyond release');
  });

  it("fails E1 and E5 naming a foreign commit the deployment ran beside the pick (someone else's unvalidated pick)", async () => {
    const foreign = fakeSha('other-operator-pick');
    const r = await checkValue(
      mutateTarget((t) => {
        t.deployedCommits?.commits.unshift({ sha: foreign, title: 'Other hotfix: widen the timeout' });
      })(),
    );
    expect(failing(r)).toEqual([`E1@${A}`, `E5@${A}`]);
    for (const id of ['E1', 'E5']) {
      const c = result(r, id);
      expect(c?.message).toContain(foreign.slice(0, 12));
      expect(c?.message).toContain('Other hotfix: widen the timeout');
      expect(c?.pointer).toBe('/targets/0/deployedCommits/commits/0/sha');
    }
  });

  it('fails E1 and E5 when the deployment did not run the pick', async () => {
    const r = await checkValue(
      mutateTarget((t) => {
        if (t.deployedCommits) t.deployedCommits.commits = [];
      })(),
    );
    expect(failing(r)).toEqual([`E1@${A}`, `E5@${A}`]);
    expect(result(r, 'E5')?.message).toMatch(/did not run this promotion's pick/);
  });

  it('fails when the record starts from another release head, is about another commit, or is incomplete', async () => {
    const edits: [
      string,
      (d: NonNullable<ReturnType<typeof buildPromotionBundle>['targets'][0]['deployedCommits']>) => void,
      string,
    ][] = [
      ['base', (d) => (d.base = fakeSha('elsewhere')), '/targets/0/deployedCommits/base'],
      ['deployed', (d) => (d.deployed = fakeSha('elsewhere')), '/targets/0/deployedCommits/deployed'],
      ['exhaustive', (d) => (d.exhaustive = false), '/targets/0/deployedCommits/exhaustive'],
    ];
    for (const [what, edit, pointer] of edits) {
      const r = await checkValue(
        mutateTarget((t) => {
          if (t.deployedCommits) edit(t.deployedCommits);
        })(),
      );
      expect(failing(r), what).toEqual([`E1@${A}`, `E5@${A}`]);
      expect(result(r, 'E5')?.pointer, what).toBe(pointer);
    }
  });

  it('expects every picked commit (however found: a resumed run finds its pick by the trailer), none when already applied', () => {
    const pick = clone(buildPromotionBundle()).targets[0]?.pick;
    if (!pick) throw new Error('fixture has a pick');
    const [first] = pick.picks;
    if (!first) throw new Error('fixture has one pick');
    expect(expectedDeployedCommits(pick)).toEqual([first.pickedSha]);
    expect(expectedDeployedCommits({ ...pick, picks: [{ ...first, via: 'trailer' }] })).toEqual([first.pickedSha]);
    expect(expectedDeployedCommits({ ...pick, headAfter: pick.headBefore })).toEqual([]);
  });

  it('a resumed promotion whose pick was found by its trailer passes with the pick as the deployed set', async () => {
    const r = await checkValue(
      mutateTarget((t) => {
        const p = t.pick?.picks[0];
        if (p) p.via = 'trailer';
      })(),
    );
    expect(failing(r)).toEqual([]);
    expect(result(r, 'E5')?.message).toContain('staging ran exactly its 1 pick(s) beyond release');
  });

  it('a 2.x bundle without the record is unverified on E5 (not a pass); E1 says the set was not recorded', async () => {
    const r = await checkValue(
      mutateTarget((t) => {
        delete t.deployedCommits;
      })(),
    );
    expect(withStatus(r, 'unverified')).toEqual([`E5@${A}`]);
    expect(result(r, 'E5')?.message).toMatch(/deployed commit set was not recorded/);
    expect(result(r, 'E1')?.status).toBe('pass');
    expect(result(r, 'E1')?.message).toContain('the deployed commit set was not recorded');
    expect(r.exitCode).toBe(1);
  });

  it('a 1.x bundle without the record keeps its former verdict and says the set was not recorded', async () => {
    const b = clone(buildLegacyBundle({}, '1.0.0')) as unknown as PromotionBundle;
    for (const t of b.targets) delete t.deployedCommits;
    const r = await checkValue(signed(b));
    expect(failing(r)).toEqual([]);
    expect(withStatus(r, 'unverified')).toEqual([]);
    expect(result(r, 'E5')?.message).toContain('the deployed commit set was not recorded');
    expect(r.exitCode).toBe(0);
  });

  it('an edited record (a foreign commit removed after sealing) fails the digest', async () => {
    const b = clone(buildPromotionBundle());
    const t = b.targets[0];
    t?.deployedCommits?.commits.push({ sha: fakeSha('foreign'), title: 'foreign' });
    const sealed = seal(b);
    sealed.targets[0]?.deployedCommits?.commits.pop();
    const st = toStatement(sealed);
    if (!st.isOk()) throw new Error('statement');
    const env = signEnvelope(
      Buffer.from((canonicalJson(st.value) as { value: string }).value),
      'application/vnd.in-toto+json',
      { privateKey: keys.privateKey },
    );
    const r = await checkValue(env.isOk() ? env.value : undefined);
    expect(failing(r)).toContain('bundle-digest');
  });
});
