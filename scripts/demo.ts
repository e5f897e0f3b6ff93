/**
 * `pnpm demo`: the main job on the embedded default. Starts the bundled GitLab
 * simulator with the demo scenario (an orchestration project `evenergi/develop` and
 * service projects with merged hotfix MRs) in its REALISTIC mode (a GitLab that does not
 * cooperate: no pipeline names from inputs, inputs never echoed, a trigger-API downstream,
 * list date filters ignored, …), then runs the runbook end to end through
 * the SDK: preflight refusals, a dry run of a conflicting pick, and a full promotion
 * of a clean hotfix to staging with evidence. Writes `demo-output/evidence.json`, signs it
 * with a key it generates (`demo-output/evidence.dsse.json`, public key `demo-output/evidence.pub`),
 * checks the signed envelope with the policy package the way GitLab CI does (signature
 * required, the gate's own policy file `demo-output/policy.json`) and writes the HTML report
 * people read, `demo-output/report.html`; prints what E2 and E3 rest on ("E2 observed, E3 observed")
 * and exits non-zero if anything fails, or if E2 rests on less than what GitLab observably ran.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { provenanceOf, signBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { type CheckInput, checkBundles, formatText, renderHtmlReport } from '@hotfix-release/policy';
import {
  cherryPickToRelease,
  createGitLabClient,
  describeError,
  type FlowEvent,
  parseRunbookConfig,
  preflight,
  promoteHotfix,
} from '@hotfix-release/sdk';

const out = new URL('../demo-output/', import.meta.url);
const stamp = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => console.log(`${stamp()}  ${line}`);

// Realistic mode: real GitLab is the yardstick, not the cooperative simulator.
const sim = await startGitLabSim({ scenario: 'demo', realistic: true });
let exitCode = 0;
try {
  say(`GitLab simulator (realistic mode) at ${sim.url} with ${sim.projects.join(', ')}`);
  const client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
  const config = parseRunbookConfig({
    services: demo.services.map((project) => {
      const health = `${sim.url}/-/sim/services/${project}/staging/health`;
      return {
        project,
        health: { url: health, versionPath: 'version' },
        smokeChecks: [{ name: 'staging reports the hotfix commit', url: health, jsonPath: 'version', equals: '{sha}' }],
      };
    }),
  })._unsafeUnwrap();

  say('1. Preflight refuses what the runbook forbids (D1):');
  const open = (await preflight(client, config, { mr: demo.mergeRequests.open }))._unsafeUnwrap();
  for (const f of open.findings.filter((x) => x.severity === 'error'))
    say(`   ${f.code} [${f.runbookRef}] ${f.message}`);

  say('2. Dry run of a hotfix whose pick conflicts on release (D3):');
  const plan = (
    await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick, dryRun: true })
  )._unsafeUnwrap();
  if (plan.kind === 'planned')
    say(`   clean: ${plan.clean}; conflicting paths: ${plan.conflicts.map((c) => c.path).join(', ') || '(none)'}`);

  const mr = demo.mergeRequests.cleanPick;
  say(`3. Promoting ${mr.project}!${mr.iid} to staging (S1–S7):`);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const journalPath = new URL('evidence.journal.json', out).pathname;
  const result = await promoteHotfix(client, config, {
    mr,
    journalPath,
    sentinels: [sim.token],
    maxWaitMs: 120_000,
    minDelayMs: 250,
    maxDelayMs: 1_000,
    onEvent: (e: FlowEvent) => {
      if (e.type === 'step')
        say(
          `   ${e.status === 'failed' ? '✗' : e.status === 'done' ? '✓' : '·'} ${e.step}${e.target ? ` ${e.target}` : ''}: ${e.message}`,
        );
      else if (e.type === 'pipeline-created' || e.type === 'downstream-found') say(`     ${e.type} ${e.webUrl ?? ''}`);
      else if (e.type === 'deployment-finished') say(`     deployment ${e.deploymentId} ${e.status}`);
      else if (e.type === 'health-ok') say(`     health reports ${e.version}`);
    },
  });
  if (result.isErr()) throw new Error(describeError(result.error));
  const bundlePath = new URL('evidence.json', out).pathname;
  await writeFile(bundlePath, `${JSON.stringify(result.value.bundle, null, 2)}\n`);
  say(`   promoted: ${result.value.bundle.promotedTargets.join(', ') || '(none)'}; evidence ${bundlePath}`);

  say('4. Signing the evidence with a key generated for this demo (in CI: a masked, protected variable):');
  const keys = generateKeyPairSync('ed25519');
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const envelope = signBundle(result.value.bundle, { privateKey: keys.privateKey });
  if (envelope.isErr()) throw new Error(envelope.error.message);
  await writeFile(new URL('evidence.dsse.json', out), `${JSON.stringify(envelope.value, null, 2)}\n`);
  await writeFile(new URL('evidence.pub', out), publicKey);
  // The gate's own policy file: what the demo set up, never read back from the bundle it judges.
  const policy = {
    version: 1,
    gitlab: { url: sim.url },
    orchestration: { project: config.orchestration.project, ref: config.orchestration.ref },
    release: { branch: config.releaseBranch, environment: config.environment, label: config.label },
    governedProjects: config.governed ? [mr.project] : [],
    signing: { trustedKeys: [{ publicKey }] },
  };
  await writeFile(new URL('policy.json', out), `${JSON.stringify(policy, null, 2)}\n`);
  say('5. Policy check of the signed evidence against E1–E8, as in GitLab CI (signed or refused):');
  const inputs: CheckInput[] = [{ name: 'demo-output/evidence.dsse.json', value: envelope.value }];
  const report = await checkBundles(inputs, {
    policy,
    policyName: 'demo-output/policy.json',
    expected: { mr },
    expectedSources: { mr: 'the demo' },
    requireSignature: true,
  });
  if (report.isErr()) throw new Error(report.error.message);
  console.log(formatText(report.value));
  const reportPath = new URL('report.html', out).pathname;
  await writeFile(reportPath, renderHtmlReport(inputs, report.value));
  say(`   HTML report for people: ${reportPath}`);
  // What E2 and E3 rest on: GitLab never echoes inputs, so only what it observably ran proves the deploy.
  const rests = result.value.bundle.targets.map((t) => ({ target: t.project, ...provenanceOf(t) }));
  for (const r of rests) say(`   ${r.target}: E2 ${r.E2}, E3 ${r.E3}`);
  const weak = rests.filter((r) => r.E2 !== 'observed' || r.E3 !== 'observed');
  for (const r of weak) say(`   ✗ ${r.target}: E2 and E3 must rest on what GitLab observably ran`);
  exitCode = result.value.ok && weak.length === 0 ? report.value.exitCode : 1;
  say(
    exitCode === 0
      ? 'Demo finished: the hotfix is in staging, validated, with passing evidence.'
      : `Demo failed (exit ${exitCode}).`,
  );
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  await sim.close();
}
process.exit(exitCode);
