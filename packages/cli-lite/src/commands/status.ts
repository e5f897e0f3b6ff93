import { resolve } from 'node:path';
import { hotfixRef, type PromotionBundle, projectKey, type TargetRecord } from '@hotfix-release/evidence';
import { GITLAB_OPTIONS, type OptionTable, parseCommand, required } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, type GitLab, requireTokenCan } from '../gitlab.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { promotionIdentityOf, readBundle } from './_files.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  evidence: { type: 'string' },
};

/** `hotfix status`: where a recorded promotion stands now, read live from GitLab. */
export const statusCommand: Command = {
  help: `Usage: hotfix status --evidence <file>

Read, live from GitLab, where a recorded promotion stands now, per target: release head versus the
recorded picks (as promoted, moved on, reverted), the orchestration pipeline's status, the
environment's last deployment, whether the MR carries the label, and who holds the release lock
(hotfix-release/lock/<release branch>) and until when.

Example:
  hotfix status --evidence evidence.json
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const path = resolve(ctx.deps.cwd ?? '.', required(p, 'evidence', '--evidence evidence.json'));
    const bundle = await readBundle(path);
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'inspection', 'hotfix status');
    // D4: per MR, whether it carries the label; per target, which MR it promotes.
    const mrs = [];
    for (const h of bundle.hotfixes) {
      const mr = await gl.client.mergeRequest(h.mr.project, h.mr.iid);
      if (mr.isErr()) return ctx.io.fail(problemFromSdk(mr.error));
      const ref = hotfixRef(h.mr);
      const present = mr.value.labels?.includes(bundle.settings.label) ?? false;
      mrs.push({ mr: ref, label: { name: bundle.settings.label, present }, targets: targetsOf(bundle, ref) });
    }
    const { promotionId } = promotionIdentityOf(bundle);
    const targets = [];
    for (const t of bundle.targets) {
      const s = await targetStatus(gl, t, bundle.settings.environment, promotionId);
      if ('error' in s) return ctx.io.fail(s.error);
      targets.push({ ...s, hotfix: t.hotfix });
    }
    const [first] = mrs;
    const doc = {
      command: 'status',
      mr: mrs.map((m) => m.mr).join(', '),
      recordedAt: bundle.completedAt ?? bundle.startedAt,
      label: { name: bundle.settings.label, present: mrs.every((m) => m.label.present) && first !== undefined },
      mrs,
      targets,
    };
    if (ctx.io.json) return ctx.io.result(doc, EXIT_CODES.ok);
    const { io } = ctx;
    for (const m of mrs)
      io.out(
        `${m.mr}: label "${bundle.settings.label}" ${m.label.present ? 'present' : 'absent'} (targets: ${m.targets.join(', ')})\n`,
      );
    for (const t of targets) {
      io.out(`${t.target} (${t.hotfix}, recorded ${t.recordedOutcome})\n`);
      io.out(`  release ${t.release.branch} @ ${t.release.head.slice(0, 12)}: ${t.release.state}\n`);
      if (t.pipeline) io.out(`  pipeline #${t.pipeline.id}: ${t.pipeline.status} ${t.pipeline.webUrl ?? ''}\n`);
      io.out(
        t.deployment
          ? `  deployment #${t.deployment.id} ${t.deployment.status} of ${t.deployment.sha.slice(0, 12)}${t.deployment.matchesRelease ? ' (release head)' : ''}\n`
          : '  deployment: none\n',
      );
      io.out(`  release lock: ${lockLine(t.lock)}\n`);
    }
    return EXIT_CODES.ok;
  },
};

async function targetStatus(gl: GitLab, t: TargetRecord, defaultEnvironment: string, promotionId: string) {
  const { client, sdk } = gl;
  const branch = t.pick?.releaseBranch ?? gl.config.releaseBranch;
  const b = await client.branch(t.project, branch);
  if (b.isErr()) return { error: problemFromSdk(b.error) };
  const head = b.value.commit.id;
  const picks = t.pick?.picks.map((x) => x.pickedSha) ?? [];
  let state = t.pick ? 'as promoted (head is the recorded pick)' : 'no pick recorded';
  let commitsSince = 0;
  if (t.pick && head !== t.pick.headAfter) {
    const cmp = await client.compare(t.project, t.pick.headAfter, head);
    if (cmp.isErr()) return { error: problemFromSdk(cmp.error) };
    commitsSince = cmp.value.commits.length;
    const reverted =
      picks.length > 0 && picks.every((sha) => cmp.value.commits.some((c) => sdk.revertsCommit(c.message ?? '', sha)));
    state = reverted
      ? `reverted (${commitsSince} commit(s) since the pick)`
      : `moved on (${commitsSince} commit(s) since the pick)`;
  }
  let pipeline: { id: number; status: string; webUrl: string } | undefined;
  if (t.pipeline) {
    const pl = await client.pipeline(t.pipeline.project, t.pipeline.id);
    if (pl.isErr()) return { error: problemFromSdk(pl.error) };
    pipeline = { id: pl.value.id, status: pl.value.status, webUrl: pl.value.web_url };
  }
  // The service found as GitLab finds paths (case-insensitively); without its own environment, the bundle's.
  const service = gl.config.services.find((s) => projectKey(s.project) === projectKey(t.project));
  const environment = service?.environment ?? defaultEnvironment;
  let deployment: { id: number; status: string; sha: string; matchesRelease: boolean } | null = null;
  const envs = await client.environmentsByName(t.project, environment);
  if (envs.isErr()) return { error: problemFromSdk(envs.error) };
  const env = envs.value[0];
  if (env) {
    const detail = await client.environment(t.project, env.id);
    if (detail.isErr()) return { error: problemFromSdk(detail.error) };
    const d = detail.value.last_deployment;
    if (d) deployment = { id: d.id, status: d.status, sha: d.sha, matchesRelease: d.sha === head };
  }
  const lock = await lockStatus(gl, t.project, branch, promotionId);
  if (lock.error) return { error: lock.error };
  return {
    target: t.project,
    recordedOutcome: t.outcome,
    lock: lock.lock,
    release: { branch, head, headAfterPick: t.pick?.headAfter ?? null, picks, commitsSince, state },
    ...(pipeline ? { pipeline } : {}),
    environment,
    deployment,
  };
}

function targetsOf(bundle: PromotionBundle, ref: string): string[] {
  return bundle.targets.filter((t) => t.hotfix === ref).map((t) => t.project);
}

/** A target's release lock as `hotfix status` shows it. */
interface LockStatus {
  readonly state: 'free' | 'held' | 'stale';
  readonly thisPromotion?: boolean;
  readonly branch?: string;
  readonly holder?: string | null;
  readonly mr?: string | null;
  readonly host?: string | null;
  readonly leaseExpiresAt?: string;
}

/** The release lock of a target: free, or who holds it until when (and whether it is this promotion). */
async function lockStatus(
  gl: GitLab,
  project: string,
  releaseBranch: string,
  promotionId: string,
): Promise<{ lock: LockStatus; error?: undefined } | { error: ReturnType<typeof problemFromSdk> }> {
  const { readReleaseLock, viewLock } = await import('@hotfix-release/sdk/lock');
  const r = await readReleaseLock(gl.client, project, releaseBranch);
  if (r.isErr()) return { error: problemFromSdk(r.error) };
  const l = r.value;
  const view = viewLock(l, promotionId, gl.client.clock.now());
  if (!l || view === 'free') return { lock: { state: 'free' } };
  const h = l.file?.holder;
  return {
    lock: {
      state: view === 'stale' ? 'stale' : 'held',
      thisPromotion: view === 'ours',
      branch: l.lockBranch,
      holder: h?.username ?? null,
      mr: h?.mr ?? null,
      host: h?.host ?? null,
      leaseExpiresAt: l.leaseExpiresAt,
    },
  };
}

function lockLine(l: LockStatus): string {
  if (l.state === 'free') return 'free';
  const who = `${l.holder ?? 'unknown'} for ${l.mr ?? 'an unknown MR'}${l.thisPromotion ? ' (this promotion)' : ''}`;
  return l.state === 'stale'
    ? `held by ${who}, lease ran out at ${l.leaseExpiresAt} (stale: "hotfix abandon" its journal, or --break-lock)`
    : `held by ${who} until ${l.leaseExpiresAt}`;
}
