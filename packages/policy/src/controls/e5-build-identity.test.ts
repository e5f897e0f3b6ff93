/** E5 by build identity (issue 18): the policy re-derives the commit from the recorded version and pattern. */
import { describe, expect, it } from 'vitest';
import { A, checkValue, failing, fakeSha, mutateTarget, type Target } from '../../test/policy-fixtures.js';

const SHA_PATTERN = String.raw`\+g(?<sha>[0-9a-f]{7,40})$`;
const DEPLOYMENT_PATTERN = String.raw`^build-(?<deployment>\d+)$`;

function byBuild(edit: (t: Target, head: string, deploymentId: number) => void): () => unknown {
  return mutateTarget((t) => {
    const head = t.pick?.headAfter ?? '';
    const deploymentId = t.deployment?.deployment.id ?? 0;
    if (!t.deployedSha) return;
    t.deployedSha.health.sha = null;
    t.deployedSha.health.version = `2.7.0+g${head.slice(0, 7)}`;
    t.deployedSha.health.identity = { basis: 'pattern-sha', pattern: SHA_PATTERN, captured: head.slice(0, 7) };
    edit(t, head, deploymentId);
  });
}

describe('E5 by build identity', () => {
  it('passes when the recorded pattern yields a prefix of the expected commit from the recorded version', async () => {
    const report = await checkValue(byBuild(() => {})());
    expect(failing(report)).toEqual([]);
    const e5 = report.results.find((c) => c.id === 'E5' && c.target === A);
    expect(e5?.message).toMatch(/health reports build 2\.7\.0\+g[0-9a-f]{7}, by pattern-sha/);
  });

  it('passes when the version names the deployment E4 recorded', async () => {
    const make = byBuild((t, _head, id) => {
      if (!t.deployedSha) return;
      t.deployedSha.health.version = `build-${id}`;
      t.deployedSha.health.identity = {
        basis: 'pattern-deployment',
        pattern: DEPLOYMENT_PATTERN,
        captured: String(id),
        deploymentId: id,
      };
    });
    expect(failing(await checkValue(make()))).toEqual([]);
  });

  const failures: [string, (t: Target, head: string, id: number) => void][] = [
    [
      'the version names another commit',
      (t) => {
        if (t.deployedSha) {
          t.deployedSha.health.version = `2.7.0+g${fakeSha('old').slice(0, 7)}`;
          if (t.deployedSha.health.identity) t.deployedSha.health.identity.captured = fakeSha('old').slice(0, 7);
        }
      },
    ],
    [
      'the recorded capture is not what the pattern yields (edited)',
      (t) => {
        if (t.deployedSha) t.deployedSha.health.version = `2.7.0+g${fakeSha('old').slice(0, 7)}`;
      },
    ],
    [
      'the capture is shorter than 7 hex digits',
      (t, head) => {
        if (t.deployedSha?.health.identity) {
          t.deployedSha.health.version = `2.7.0+g${head.slice(0, 4)}`;
          t.deployedSha.health.identity.pattern = String.raw`\+g(?<sha>[0-9a-f]{4,40})$`;
          t.deployedSha.health.identity.captured = head.slice(0, 4);
        }
      },
    ],
    [
      'the version names another deployment',
      (t, _head, id) => {
        if (!t.deployedSha) return;
        t.deployedSha.health.version = `build-${id + 1}`;
        t.deployedSha.health.identity = {
          basis: 'pattern-deployment',
          pattern: DEPLOYMENT_PATTERN,
          captured: String(id + 1),
          deploymentId: id + 1,
        };
      },
    ],
    [
      'there is no identity and no SHA',
      (t) => {
        if (t.deployedSha) delete t.deployedSha.health.identity;
      },
    ],
  ];
  it.each(failures)('fails E5 only when %s', async (_name, edit) => {
    expect(failing(await checkValue(byBuild(edit)()))).toEqual([`E5@${A}`]);
  });
});
