/**
 * Promote ONE merged hotfix MR and check its own evidence before calling it done, as `hotfix promote`
 * does: a promotion never reports success with evidence that fails (issue 17).
 *
 * What it does: `promoteHotfix` from the SDK (S1–S7), writes the sealed bundle, then runs the policy's
 * E1–E8 controls on that bundle with this script's OWN configuration as the expectations: the instance,
 * the MR, the orchestration project and ref, the target's release branch and environment, the label, the
 * orchestrator's input names, `project` value and fingerprints (with the target's overrides). Signatures
 * are the gate's job, not this check's. The SDK never imports the policy package; a script joins them.
 *
 *   GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-… \
 *     npx tsx --conditions=@hotfix-release/source examples/promote-and-self-check.ts evenergi/charging-api!42
 *
 * Exit code: 0 promoted and the evidence passes; 1 not promoted, or a control failed (named with its
 * runbook ID, the evidence still written); 3 bad configuration.
 */
import { writeFile } from 'node:fs/promises';
import { provenanceOf } from '@hotfix-release/evidence';
import { checkBundles, EXIT_CODES } from '@hotfix-release/policy';
import {
  createGitLabClient,
  describeError,
  orchestratorFor,
  parseRunbookConfig,
  promoteHotfix,
  type RunbookConfig,
  type RunbookConfigInput,
  serviceFor,
} from '@hotfix-release/sdk';
import { gitlabFromEnv, isEntryPoint, parseMr, readConfigFile } from './_run-directly.js';

/** What `main` needs. */
export interface PromoteAndSelfCheckOptions {
  readonly gitlabUrl: string;
  readonly token: string;
  /** The runbook configuration: it drives the promotion AND is what the evidence is checked against. */
  readonly config: RunbookConfigInput;
  readonly mr: { readonly project: string; readonly iid: number };
  /** Where the sealed evidence bundle is written (also when the check fails: it is the proof). */
  readonly evidencePath: string;
  /** Polling of the deployment wait. */
  readonly wait?: { readonly maxWaitMs?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  readonly log?: (line: string) => void;
}

/**
 * The gate's policy file, written from the promotion's own configuration for one target. The policy
 * takes `projectValue` as `full-path` or `short-name`; a per-service map is stated through the value
 * it gives this target (a value the policy cannot express is reported, never silently passed).
 */
export function policyFromConfig(config: RunbookConfig, gitlabUrl: string, target: string) {
  const profile = orchestratorFor(config, target);
  const service = serviceFor(config, target);
  const short = target.slice(target.lastIndexOf('/') + 1);
  const pv = profile.projectValue;
  const mapped = typeof pv === 'object' ? pv.map[target] : undefined;
  const projectValue =
    typeof pv === 'string' ? pv : mapped === target ? 'full-path' : mapped === short ? 'short-name' : undefined;
  return {
    projectValue,
    policy: {
      version: 1,
      gitlab: { url: gitlabUrl },
      orchestration: {
        project: profile.project,
        ref: profile.ref,
        inputNames: profile.inputNames,
        projectValue: projectValue ?? 'full-path',
        fingerprints: profile.fingerprints,
      },
      release: {
        branch: service?.releaseBranch ?? config.releaseBranch,
        environment: service?.environment ?? config.environment,
        label: config.label,
      },
      governedProjects: config.governed ? [target] : [],
    },
  };
}

/** Promotes the MR to its own project's staging and checks the evidence; returns the exit code. */
export async function main(o: PromoteAndSelfCheckOptions): Promise<number> {
  const log = o.log ?? console.log;
  const client = createGitLabClient({ gitlabUrl: o.gitlabUrl, token: o.token });
  if (client.isErr()) return fail(log, describeError(client.error), EXIT_CODES.configuration);
  const config = parseRunbookConfig(o.config);
  if (config.isErr()) return fail(log, describeError(config.error), EXIT_CODES.configuration);

  const result = await promoteHotfix(client.value, config.value, { mr: o.mr, ...o.wait });
  if (result.isErr()) return fail(log, describeError(result.error), EXIT_CODES.failed);
  const { bundle } = result.value;
  await writeFile(o.evidencePath, `${JSON.stringify(bundle, null, 2)}\n`);
  log(`evidence: ${o.evidencePath}`);
  if (!result.value.ok) {
    for (const t of result.value.targets) log(`${t.target}: ${t.outcome}. ${t.message}`);
    return EXIT_CODES.failed;
  }

  // The self-check: the policy, with what this script configured as the yardstick (never the bundle's word).
  const { policy, projectValue } = policyFromConfig(config.value, o.gitlabUrl, o.mr.project);
  if (projectValue === undefined)
    return fail(log, `self-check: E2 not judged: the policy cannot express this target's project value`, 1);
  const report = await checkBundles([{ name: o.evidencePath, value: bundle }], {
    policy,
    policyName: "this script's own configuration",
    expected: {
      action: config.value.orchestration.deployAction,
      cutoffAction: config.value.orchestration.cutOffAction,
      mr: { project: o.mr.project, iid: o.mr.iid },
    },
  });
  if (report.isErr()) return fail(log, `self-check could not run: ${report.error.message}`, EXIT_CODES.failed);
  const failing = report.value.results.filter((r) => !['pass', 'waived', 'not_applicable'].includes(r.status));
  for (const r of failing)
    log(`self-check: ${r.id} ${r.status === 'fail' ? 'failed' : r.status} [${r.runbookRef}]: ${r.message}`);
  if (report.value.exitCode !== 0) return EXIT_CODES.failed;
  for (const t of bundle.targets) {
    const p = provenanceOf(t);
    log(`${t.project}: promoted; self-check passed (E2 ${p.E2}, E3 ${p.E3})`);
  }
  return EXIT_CODES.ok;
}

function fail(log: (line: string) => void, line: string, code: number): number {
  log(line);
  return code;
}

if (isEntryPoint(import.meta.url)) {
  const file = readConfigFile();
  process.exitCode = await main({
    ...gitlabFromEnv(file),
    config: file.runbook ?? {},
    mr: parseMr(process.argv[2]),
    evidencePath: 'evidence.json',
  });
}
