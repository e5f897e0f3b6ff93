import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { projectKey } from '@hotfix-release/evidence';
import { flag, GITLAB_OPTIONS, type OptionTable, parseCommand, required, str, strs } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, requireTokenCan } from '../gitlab.js';
import { problem } from '../problem.js';
import { createProgress } from '../progress.js';
import { exitCodeOf, problemFromSdk } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { checkBundleInstance, checkBundleSeal, checkBundleSignature } from './_bundle-trust.js';
import { readBundle } from './_files.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  evidence: { type: 'string' },
  target: { type: 'string', multiple: true },
  reason: { type: 'string' },
  key: { type: 'string', multiple: true },
  signature: { type: 'string' },
  'no-wait': { type: 'boolean' },
  'break-lock': { type: 'boolean' },
};

/** `hotfix rollback`: the SDK's rollbackHotfix on a recorded promotion, written back to the bundle (R1, R2, R3). */
export const rollbackCommand: Command = {
  help: `Usage: hotfix rollback --evidence <file> [--target <group/project>]... [--reason <text>]
                       [--key <public key (PEM)>]... [--signature <envelope>] [--no-wait] [--break-lock]

Back a promoted hotfix out: revert the picks recorded in the evidence bundle from release (R1), and
where a deployment is recorded rerun the orchestration pipeline with the same action, project and
confirm=true, wait for staging to run the reverted release and revalidate (R2). A target whose
release moved since the pick is refused (R3: restore release first). The rollback is recorded in
the bundle, which is sealed again. Before anything is reverted the bundle must be sealed with a
digest that matches its content, recorded on the GitLab instance this run talks to, and, with
--key, covered by a trusted signature (--signature, default <evidence>.dsse.json); otherwise the
rollback is refused (rollback-refused, exit 2, or exit 3 for another instance) and nothing is sent.
Whether a target reached staging (R2) or not (R1) is read from GitLab: is the pick the environment's
last deployment or an ancestor of it; unreadable, the target stops (R3) and nothing is reverted. The
rollback runs under the release lock (see "hotfix promote --help"), re-adopting the promotion's own;
another promotion's lock makes it wait, or refuse at once with --no-wait; --break-lock takes over a
stale one.

Example:
  hotfix rollback --evidence evidence.json --reason "checkout returns 500 in staging"
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const path = resolve(cwd, required(p, 'evidence', '--evidence evidence.json'));
    const digest = await checkBundleSeal(path);
    const keys = strs(p, 'key');
    if (keys.length > 0) {
      const envelope = resolve(cwd, str(p, 'signature') ?? `${path.replace(/\.json$/i, '')}.dsse.json`);
      await checkBundleSignature(cwd, envelope, keys, digest);
    }
    const bundle = await readBundle(path);
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'rollback', 'hotfix rollback');
    checkBundleInstance(path, bundle.gitlabUrl, gl.client.gitlabUrl);
    if (projectKey(gl.config.orchestration.project) !== projectKey(bundle.settings.orchestrationProject))
      return ctx.io.fail(
        problem({
          code: 'invalid-config',
          title: 'Bad configuration',
          detail: `The bundle was deployed by ${bundle.settings.orchestrationProject} but the configuration names ${gl.config.orchestration.project}; rerunning "the same pipeline" needs the same orchestration project (R2).`,
          exitCode: EXIT_CODES.configuration,
          runbookRef: 'R2',
          extra: { details: { pointer: '/runbook/orchestration/project' }, file: gl.settings.file ?? null },
        }),
      );
    const only = strs(p, 'target');
    const progress = createProgress(ctx.io);
    const w = gl.settings.wait;
    let r: Awaited<ReturnType<typeof gl.sdk.rollbackHotfix>>;
    try {
      r = await gl.sdk.rollbackHotfix(gl.client, gl.config, {
        bundle,
        reason: str(p, 'reason') ?? 'operator rollback (hotfix rollback)',
        ...(only.length ? { targets: only } : {}),
        maxWaitMs: w.maxWaitMs,
        minDelayMs: w.minDelayMs,
        maxDelayMs: w.maxDelayMs,
        checkHeaders: gl.settings.checkHeaders,
        lock: {
          wait: !flag(p, 'no-wait'),
          breakStale: flag(p, 'break-lock'),
          ...(gl.settings.lock.maxWaitMs !== undefined ? { maxWaitMs: gl.settings.lock.maxWaitMs } : {}),
        },
        onEvent: progress.onEvent,
      });
    } finally {
      progress.stop();
    }
    if (r.isErr()) return ctx.io.fail(problemFromSdk(r.error));
    const result = r.value;
    await writeFile(path, `${JSON.stringify(result.bundle, null, 2)}\n`);
    const codes = result.targets.filter((t) => !t.ok).map((t) => (t.error ? exitCodeOf(t.error) : EXIT_CODES.failed));
    const code =
      result.targets.length === 0 || codes.includes(EXIT_CODES.failed)
        ? EXIT_CODES.failed
        : (codes[0] ?? EXIT_CODES.ok);
    const targets = result.targets.map((t) => ({
      target: t.target,
      runbookRef: t.runbookRef,
      ok: t.ok,
      message: t.message,
      ...(t.error ? { error: problemFromSdk(t.error) } : {}),
    }));
    if (ctx.io.json) return ctx.io.result({ command: 'rollback', ok: result.ok, evidence: path, targets }, code);
    if (targets.length === 0) ctx.io.out('Nothing to roll back: no target in the bundle has a recorded pick.\n');
    for (const t of result.targets) {
      const mark = t.ok ? ctx.io.paint('green', '✓') : ctx.io.paint('red', '✗');
      const tag = t.error ? ` ${t.error.code}${t.error.runbookRef ? ` [${t.error.runbookRef}]` : ''}` : '';
      ctx.io.out(
        `${mark} ${t.target}: ${t.ok ? 'rolled back' : 'not rolled back'} (${t.runbookRef})${tag}: ${t.message}\n`,
      );
    }
    ctx.io.out(`Evidence updated: ${path}\n`);
    return code;
  },
};
