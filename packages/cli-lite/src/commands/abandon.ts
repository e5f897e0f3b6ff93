/**
 * `hotfix abandon <journal>`: give a promotion up for good (S2/R3, issue 23): release the release
 * lock it holds on each target (only where it still holds it) and journal `abandon`, so nobody
 * resumes it by mistake. Nothing on release or staging is touched: revert with `hotfix rollback`.
 */
import { resolve } from 'node:path';
import { EvidenceJournal, readJournal } from '@hotfix-release/evidence';
import { GITLAB_OPTIONS, type OptionTable, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, type GitLab, requireTokenCan } from '../gitlab.js';
import { usageProblem } from '../problem.js';
import { problemFromError, problemFromSdk } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { promotionIdentityOf } from './_files.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  reason: { type: 'string' },
};

/** `hotfix abandon`: release a promotion's release locks and mark its journal abandoned. */
export const abandonCommand: Command = {
  help: `Usage: hotfix abandon <journal> [--reason <text>]

Give up a promotion that will not be finished (a stop awaiting a human nobody will resolve, an R3
stop after release was recovered by hand, a killed run): release the release lock it holds on each
target (hotfix-release/lock/<release branch>; a lock another promotion took over is left alone) and
journal "abandon" so "hotfix resume" refuses it. Nothing on release or staging changes: to back the
hotfix out, use "hotfix rollback".

Example:
  hotfix abandon evidence.journal.json --reason "replaced by !43"
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) return ctx.io.fail(usageProblem('name exactly one journal file'));
    const journalPath = resolve(ctx.deps.cwd ?? '.', file);
    const state = await readJournal(journalPath);
    if (!state.isOk())
      return ctx.io.fail(
        problemFromError(state.error, { exitCode: EXIT_CODES.unevaluable, extra: { journal: journalPath } }),
      );
    const { bundle } = state.value;
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'promotion', 'hotfix abandon');
    const me = await gl.client.currentUser();
    if (me.isErr()) return ctx.io.fail(problemFromSdk(me.error));
    const identity = { username: me.value.username, id: me.value.id, ...promotionIdentityOf(bundle) };
    const { mr } = identity;
    const targets = [];
    for (const t of bundle.targets) {
      const releaseBranch = t.lock?.releaseBranch ?? t.pick?.releaseBranch ?? releaseBranchOf(gl, t.project);
      const r = await releaseLock(gl, t.project, releaseBranch, identity);
      if ('error' in r) return ctx.io.fail(r.error);
      targets.push({ target: t.project, releaseBranch, lock: r.outcome, ...(r.holder ? { holder: r.holder } : {}) });
    }
    const journal = await EvidenceJournal.open(journalPath, {
      sentinels: gl.settings.token ? [gl.settings.token] : [],
    });
    if (journal.isErr()) return ctx.io.fail(problemFromError(journal.error, { exitCode: EXIT_CODES.unevaluable }));
    const now = new Date().toISOString();
    for (const t of bundle.targets) {
      const released = targets.find((x) => x.target === t.project)?.lock === 'released';
      if (released && t.lock)
        await journal.value.append({ step: 'lock', target: t.project, record: { ...t.lock, releasedAt: now } });
    }
    const reason = str(p, 'reason');
    const appended = await journal.value.append({
      step: 'abandon',
      record: { abandonedAt: now, by: me.value.username, ...(reason ? { reason } : {}) },
    });
    if (appended.isErr()) return ctx.io.fail(problemFromError(appended.error, { exitCode: EXIT_CODES.unevaluable }));
    const doc = { command: 'abandon', ok: true, mr, journal: journalPath, abandonedAt: now, targets };
    if (ctx.io.json) return ctx.io.result(doc, EXIT_CODES.ok);
    for (const t of targets) ctx.io.out(`${t.target} ${t.releaseBranch}: ${describe(t.lock, t.holder)}\n`);
    ctx.io.out(`Abandoned ${mr} (${file}); "hotfix resume" will refuse it. Release and staging were not changed.\n`);
    return EXIT_CODES.ok;
  },
};

function releaseBranchOf(gl: GitLab, project: string): string {
  return gl.sdk.serviceFor(gl.config, project)?.releaseBranch ?? gl.config.releaseBranch;
}

function describe(outcome: string, holder: string | undefined): string {
  switch (outcome) {
    case 'released':
      return 'release lock released';
    case 'not-ours':
      return `release lock left alone: it is held by ${holder ?? 'another promotion'} now`;
    case 'already-released':
      return 'release lock was already released';
    default:
      return 'no release lock';
  }
}

async function releaseLock(
  gl: GitLab,
  project: string,
  releaseBranch: string,
  identity: { username: string; id: number; promotionId: string; mr: string },
) {
  const lock = await import('@hotfix-release/sdk/lock');
  const r = await lock.releaseReleaseLock(gl.client, {
    project,
    releaseBranch,
    identity,
    leaseMs: 60_000,
    clock: gl.client.clock,
  });
  if (r.isErr()) return { error: problemFromSdk(r.error) };
  if (r.value !== 'not-ours') return { outcome: r.value };
  const now = await lock.readReleaseLock(gl.client, project, releaseBranch);
  const h = now.isOk() ? now.value?.file?.holder : undefined;
  return { outcome: r.value, holder: h ? `${h.username} for ${h.mr}` : undefined };
}
