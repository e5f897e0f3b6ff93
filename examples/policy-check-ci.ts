/**
 * A policy gate for CI: read an evidence bundle, judge it against the runbook's completion
 * criteria E1–E8 with `@hotfix-release/policy`, print the report and exit with the policy's
 * code, so the job fails exactly when the evidence does not prove the promotion.
 *
 *   npx tsx --conditions=@hotfix-release/source examples/policy-check-ci.ts evidence.dsse.json \
 *     --policy /path/outside/the/checkout/policy.json --mr group/project!42 \
 *     [--waivers waivers.dsse.json] [--junit policy-junit.xml]
 *
 * Exit code (the policy's EXIT_CODES): 0 every required control passed, 1 a control failed or a
 * waiver expired, 2 the evidence could not be evaluated (unreadable, invalid, bad digest, unsigned in
 * CI, evidence of another instance or MR), 3 bad
 * configuration (e.g. the waiver file). The `hotfix policy check` command does the same with more
 * options (signatures, live re-reads, other report formats).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkBundles, describeError, EXIT_CODES, formatJunit, formatText } from '@hotfix-release/policy';
import { isEntryPoint } from './_run-directly.js';

/** What `main` needs. */
export interface PolicyCheckOptions {
  /** The evidence bundle (or a DSSE envelope of one). */
  readonly bundlePath: string;
  /** The gate's own policy file (see docs/policy-in-ci.md): never one the MR under review can edit. */
  readonly policyPath: string;
  /** The MR the evidence must be about, as `group/project!iid` (in GitLab CI: CI_PROJECT_PATH!CI_MERGE_REQUEST_IID). */
  readonly mr: string;
  /** Signed or refused (GitLab CI sets CI=true): a bare or untrusted bundle is exit 2. */
  readonly ci?: boolean;
  /** An optional waiver file (see docs/waivers.md). */
  readonly waiversPath?: string;
  /** Also write a JUnit report here, for GitLab's test report widget. */
  readonly junitPath?: string;
  readonly log?: (text: string) => void;
}

/** Checks the bundle; returns the policy's exit code. */
export async function main(o: PolicyCheckOptions): Promise<number> {
  const log = o.log ?? console.log;
  let text: string;
  try {
    text = await readFile(o.bundlePath, 'utf8');
  } catch (e) {
    // An unreadable bundle is unevaluable evidence, not a configuration problem.
    log(`cannot read ${o.bundlePath}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_CODES.unevaluable;
  }
  const waivers = o.waiversPath ? await readFile(o.waiversPath, 'utf8') : undefined;
  const [project = '', iid = '0'] = o.mr.split('!');
  const report = await checkBundles([{ name: o.bundlePath, text }], {
    policy: await readFile(o.policyPath, 'utf8'),
    policyName: o.policyPath,
    expected: { mr: { project, iid: Number(iid) } },
    expectedSources: { mr: '--mr' },
    requireSignature: o.ci ?? false,
    ...(waivers === undefined ? {} : { waivers }),
  });
  if (report.isErr()) {
    log(describeError(report.error));
    return EXIT_CODES.configuration;
  }
  log(formatText(report.value));
  if (o.junitPath) await writeFile(o.junitPath, formatJunit(report.value));
  return report.value.exitCode;
}

if (isEntryPoint(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      mr: { type: 'string' },
      waivers: { type: 'string' },
      junit: { type: 'string' },
    },
  });
  const [bundlePath] = positionals;
  if (!bundlePath || !values.policy || !values.mr) {
    console.error(
      'usage: policy-check-ci.ts <evidence.dsse.json> --policy <file> --mr <group/project!iid> [--waivers <file>] [--junit <file>]',
    );
    process.exitCode = EXIT_CODES.configuration;
  } else {
    process.exitCode = await main({
      bundlePath,
      policyPath: values.policy,
      mr: values.mr,
      ci: process.env.CI === 'true',
      ...(values.waivers ? { waiversPath: values.waivers } : {}),
      ...(values.junit ? { junitPath: values.junit } : {}),
    });
  }
}
