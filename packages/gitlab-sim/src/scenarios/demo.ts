import { ACCESS } from '../state.js';
import { createScenarioBuilder, type ProjectBuilder } from './builder.js';
import { demoCiFiles } from './demo-ci.js';
import { registerScenario, type ScenarioContext } from './index.js';

/** Where one demo merge request lives. */
export interface DemoMergeRequestRef {
  readonly project: string;
  readonly iid: number;
}

const CHARGING = 'evenergi/charging-api';
const BILLING = 'evenergi/billing-service';
const FLEET = 'evenergi/fleet-portal';

/**
 * A machine-readable description of the `demo` scenario, so tests find its projects, users
 * and merge requests without magic numbers. A test checks the scenario matches it.
 */
export const demoScenarioInfo = {
  orchestrator: 'evenergi/develop',
  services: [CHARGING, BILLING, FLEET],
  defaultBranch: 'main',
  releaseBranch: 'release',
  validatedLabel: 'Validated in Staging',
  /** Non-admin users with fixed tokens (the admin token is `sim.token`). */
  users: {
    developer: { username: 'alice', token: 'glpat-demo-alice-developer' },
    maintainer: { username: 'bob', token: 'glpat-demo-bob-maintainer' },
    reporter: { username: 'rita', token: 'glpat-demo-rita-reporter' },
  },
  mergeRequests: {
    /** Merged with a merge commit; its merge commit picks cleanly onto release. */
    cleanPick: { project: CHARGING, iid: 1 },
    /** Merged; its change touches lines that differ on release, so the pick conflicts. */
    conflictingPick: { project: CHARGING, iid: 2 },
    /** Merged and already cherry-picked to release (the pick carries GitLab's trailer). */
    alreadyApplied: { project: CHARGING, iid: 3 },
    /** Still open. */
    open: { project: CHARGING, iid: 4 },
    /** Closed without merging. */
    closedNotMerged: { project: CHARGING, iid: 5 },
    /** Merged although it lacks its one required approval. */
    missingApprovals: { project: CHARGING, iid: 6 },
    /** Squash-merged (squash commit wrapped in a merge commit), two source commits. */
    squashMerged: { project: FLEET, iid: 1 },
    /** Fast-forward merged, two commits: merge_commit_sha and squash_commit_sha are null. */
    fastForward: { project: BILLING, iid: 1 },
  },
} as const satisfies {
  readonly mergeRequests: Readonly<Record<string, DemoMergeRequestRef>>;
  readonly services: readonly string[];
  readonly [key: string]: unknown;
};

function lines(prefix: string, n: number, edits: Record<number, string> = {}): string {
  return `${Array.from({ length: n }, (_, i) => edits[i + 1] ?? `${prefix} line ${i + 1}`).join('\n')}\n`;
}

async function service(
  b: ReturnType<typeof createScenarioBuilder>,
  path: string,
  mergeMethod: 'merge' | 'ff',
  users: { developer: number; maintainer: number; reporter: number },
): Promise<ProjectBuilder> {
  const name = path.split('/')[1] as string;
  const p = await b.project(path, {
    mergeMethod,
    files: {
      'README.md': `# ${name}\n\nA service of the evenergi platform.\n`,
      '.gitlab-ci.yml': demoCiFiles().service,
      'src/config.ts': lines('config', 12),
      'src/core.ts': lines('core', 30),
      'src/tariff.ts': lines('tariff', 20),
    },
  });
  p.member(users.developer, ACCESS.developer);
  p.member(users.maintainer, ACCESS.maintainer);
  p.member(users.reporter, ACCESS.reporter);
  p.label(demoScenarioInfo.validatedLabel, '#1aaa55');
  p.label('hotfix', '#e24329');
  await p.commit(
    'main',
    { 'src/config.ts': lines('config', 12, { 3: 'export const sessionTimeoutS = 300;' }) },
    'Add session timeout\n',
  );
  await p.branch('release', 'main');
  p.protect('release');
  // main moves on after the release cut: a cut-off would visibly rebuild release.
  await p.commit(
    'main',
    { 'src/tariff.ts': lines('tariff', 20, { 4: 'const base = rates.peak;', 5: 'const night = rates.night * 0.9;' }) },
    'Refactor tariff computation\n',
  );
  await p.commit(
    'main',
    { 'src/metrics.ts': 'export const metrics = new Map<string, number>();\n' },
    'Add metrics endpoint\n',
  );
  return p;
}

/** Seeds the demo world: the orchestration project and three services with hotfix MRs. */
export async function seedDemo(ctx: ScenarioContext): Promise<void> {
  const b = createScenarioBuilder({ state: ctx.state, root: ctx.root, adminId: ctx.adminId });
  const info = demoScenarioInfo;
  const alice = b.user(info.users.developer.username, { name: 'Alice Developer', token: info.users.developer.token });
  const bob = b.user(info.users.maintainer.username, { name: 'Bob Maintainer', token: info.users.maintainer.token });
  const rita = b.user(info.users.reporter.username, { name: 'Rita Reporter', token: info.users.reporter.token });
  const users = { developer: alice.user.id, maintainer: bob.user.id, reporter: rita.user.id };

  const develop = await b.project(info.orchestrator, {
    files: {
      'README.md': '# develop\n\nOrchestration of evenergi releases.\n',
      '.gitlab-ci.yml': ctx.realistic.triggerApiDownstream
        ? demoCiFiles().orchestratorTriggerApi
        : demoCiFiles().orchestrator,
    },
  });
  develop.member(users.developer, ACCESS.developer);
  develop.member(users.maintainer, ACCESS.maintainer);
  // Realistic: the orchestration branch is protected; only those who may merge into it run pipelines there.
  if (ctx.realistic.protectedOrchestrationRef) {
    develop.protect(info.defaultBranch, { push: ACCESS.maintainer, merge: ACCESS.maintainer });
  }

  const approved = { required: 1, by: [users.maintainer] };
  const charging = await service(b, CHARGING, 'merge', users);
  await charging.mergeRequest({
    source: 'hotfix/kwh-rounding',
    title: 'Fix rounding of kWh totals',
    description: 'Totals were truncated instead of rounded.',
    authorId: users.developer,
    commits: [
      {
        files: { 'src/core.ts': lines('core', 30, { 5: 'const kwh = Math.round(total * 1000) / 1000;' }) },
        message: 'Round kWh totals\n',
      },
    ],
    approvals: approved,
    labels: ['hotfix'],
  });
  await charging.mergeRequest({
    source: 'hotfix/night-tariff',
    title: 'Fix tariff for night hours',
    authorId: users.developer,
    commits: [
      {
        files: {
          'src/tariff.ts': lines('tariff', 20, {
            4: 'const base = rates.peak;',
            5: 'const night = rates.night * 0.8;',
          }),
        },
        message: 'Apply the night discount\n',
      },
    ],
    approvals: approved,
    labels: ['hotfix'],
  });
  const applied = await charging.mergeRequest({
    source: 'hotfix/missing-connector',
    title: 'Handle missing connector id',
    authorId: users.developer,
    commits: [
      {
        files: {
          'src/core.ts': lines('core', 30, {
            5: 'const kwh = Math.round(total * 1000) / 1000;',
            20: 'if (!connectorId) return undefined;',
          }),
        },
        message: 'Guard against a missing connector id\n',
      },
    ],
    approvals: approved,
    labels: ['hotfix'],
  });
  await charging.cherryPick(applied.mergeCommitSha as string, 'release');
  await charging.mergeRequest({
    source: 'feature/ocpp-retry',
    title: 'Add retry to the OCPP client',
    authorId: users.developer,
    commits: [{ files: { 'src/ocpp.ts': 'export const retries = 3;\n' }, message: 'Retry OCPP calls\n' }],
    state: 'opened',
  });
  await charging.mergeRequest({
    source: 'experiment/pricing',
    title: 'Experimental pricing model',
    authorId: users.developer,
    commits: [
      { files: { 'src/pricing.ts': 'export const experimental = true;\n' }, message: 'Try a new pricing model\n' },
    ],
    state: 'closed',
  });
  await charging.mergeRequest({
    source: 'hotfix/limits',
    title: 'Raise the session limit',
    authorId: users.developer,
    commits: [
      { files: { 'src/limits.ts': 'export const maxSessions = 500;\n' }, message: 'Raise the session limit\n' },
    ],
    approvals: { required: 1, by: [] },
    labels: ['hotfix'],
  });

  const billing = await service(b, BILLING, 'ff', users);
  await billing.mergeRequest({
    source: 'hotfix/vat-rounding',
    title: 'Fix VAT rounding on invoices',
    authorId: users.developer,
    commits: [
      { files: { 'src/vat.ts': 'export const vat = (n: number) => n * 0.2;\n' }, message: 'Extract VAT helper\n' },
      {
        files: { 'src/vat.ts': 'export const vat = (n: number) => Math.round(n * 20) / 100;\n' },
        message: 'Round VAT per line\n',
      },
    ],
    approvals: approved,
    labels: ['hotfix'],
  });

  const fleet = await service(b, FLEET, 'merge', users);
  await fleet.mergeRequest({
    source: 'hotfix/vehicle-pagination',
    title: 'Fix vehicle list pagination',
    authorId: users.developer,
    squash: true,
    commits: [
      { files: { 'src/vehicles.ts': 'export const pageSize = 20;\n' }, message: 'Add page size\n' },
      {
        files: { 'src/vehicles.ts': 'export const pageSize = 50;\nexport const firstPage = 1;\n' },
        message: 'Start pages at 1\n',
      },
    ],
    approvals: approved,
    labels: ['hotfix'],
  });
}

registerScenario('demo', seedDemo);
