/**
 * The runbook's variables as configuration, every one with the runbook's default:
 * the orchestration project and ref, how the guided inputs travel, the input names,
 * the allowed action, release branch, environment, label, and one descriptor per
 * service (D5). Nothing in the SDK hard-codes these values.
 */
import { projectKey } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { zodIssues } from './_internal/zod-issues.js';
import { type HotfixError, hotfixError } from './errors.js';

/**
 * The weekly cut-off action (S5): never sent for a hotfix.
 * @see S5 E3
 */
export const CUT_OFF_ACTION = 'bring-all-code-to-release-branch';
/**
 * The action a hotfix promotion uses (S4).
 * @see S4 E2
 */
export const DEPLOY_ACTION = 'deploy-release-branch-to-staging';

/**
 * Normalises an action for comparison: case, whitespace and Unicode look-alikes folded.
 *
 * @example
 * ```ts
 * normalizeAction(' Bring_All-Code\u2010to-release-branch '); // 'bring-all-code-to-release-branch'
 * ```
 */
export function normalizeAction(action: string): string {
  return action
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u200b-\u200d\ufeff]+/g, '')
    .replace(/[_\u2010-\u2015\u2212]/g, '-');
}

/**
 * Whether an action is the cut-off action in any disguise (case, whitespace, underscores, dashes).
 *
 * @example
 * ```ts
 * isCutOffAction('BRING_ALL_CODE_TO_RELEASE_BRANCH'); // true
 * isCutOffAction('deploy-release-branch-to-staging'); // false
 * ```
 * @see S5
 */
export function isCutOffAction(action: string, cutOff: string = CUT_OFF_ACTION): boolean {
  return normalizeAction(action) === normalizeAction(cutOff);
}

/**
 * One fingerprint entry: a job or bridge name matched exactly, or `/regex/` (anchored by the
 * writer, at most 200 characters) matched against the name.
 */
export const fingerprintEntrySchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !isPattern(s) || patternOf(s) !== undefined, 'must be a job name or a valid /regex/');

function isPattern(s: string): boolean {
  return s.length > 2 && s.startsWith('/') && s.endsWith('/');
}

function patternOf(s: string): RegExp | undefined {
  try {
    return new RegExp(s.slice(1, -1), 'u');
  } catch {
    return undefined;
  }
}

/**
 * Whether a job or bridge name matches one fingerprint entry (exact name, or `/regex/`).
 *
 * @see E2 E3
 */
export function matchesFingerprint(name: string, entry: string): boolean {
  if (!isPattern(entry)) return name === entry;
  return patternOf(entry)?.test(name) ?? false;
}

/** Ways the target's deploy can be reached from the orchestration pipeline, tried in order. */
export const downstreamReachSchema = z.enum(['bridge', 'trigger-api', 'environment']);

/**
 * The value the orchestrator's `project` input takes for a service: its full path, its short
 * name (the last path segment), or an explicit map from full path to value.
 */
export const projectValueSchema = z.union([
  z.enum(['full-path', 'short-name']),
  z.strictObject({ map: z.record(z.string().min(1), z.string().min(1)) }),
]);

/** The fingerprints of the orchestrator's actions in what GitLab shows (job and bridge names). */
export const fingerprintsSchema = z.strictObject({
  /** A deploy run (S4) contains a job or bridge matching each entry. */
  deploy: z.array(fingerprintEntrySchema).min(1).max(20),
  /** Only a cut-off run (S5) contains a job or bridge matching any entry. */
  cutOff: z.array(fingerprintEntrySchema).min(1).max(20),
});

/** How the target's deploy is reached and recognised (E2, D4). */
export const downstreamSchema = z.strictObject({
  /** Tried in order: a bridge of the orchestration pipeline, a trigger-API pipeline in the target, the environment's deployment. */
  reach: z.array(downstreamReachSchema).min(1).max(3),
  /** `source` values a trigger-API pipeline in the target may have (`trigger` for a trigger token, `pipeline` for `CI_JOB_TOKEN`). */
  sources: z.array(z.string().min(1)).min(1).max(5),
  /** How long after the deploy job started its trigger-API pipeline may be created. */
  windowMs: z.number().int().min(1_000).max(86_400_000),
});

/** The runbook orchestrator's fingerprints: its deploy bridge and its cut-off jobs. */
export const RUNBOOK_FINGERPRINTS: z.output<typeof fingerprintsSchema> = {
  deploy: [DEPLOY_ACTION],
  cutOff: [CUT_OFF_ACTION, 'deploy-after-cut-off'],
};

/** The runbook orchestrator's downstream: a bridge, else a trigger-API pipeline in the target. */
export const RUNBOOK_DOWNSTREAM: z.output<typeof downstreamSchema> = {
  reach: ['bridge', 'trigger-api'],
  sources: ['trigger', 'pipeline'],
  windowMs: 30 * 60_000,
};

/** What a service may override of the orchestrator profile. */
export const orchestratorOverrideSchema = z.strictObject({
  projectValue: projectValueSchema.optional(),
  fingerprints: fingerprintsSchema.partial().optional(),
  downstream: downstreamSchema.partial().optional(),
});

/** One smoke or acceptance check of a service (P6, S7). */
export const smokeCheckSchema = z.object({
  /** A short name shown in progress, the MR note and evidence. */
  name: z.string().min(1),
  kind: z.literal('http').default('http'),
  /** URL to request; `{sha}` is replaced by the expected commit. */
  url: z.string().url(),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  expectStatus: z.number().int().min(100).max(599).default(200),
  /** The body must contain this text. */
  bodyContains: z.string().optional(),
  /** A dotted path into a JSON body (`version`, `build.sha`) whose value must equal `equals` (`{sha}` allowed). */
  jsonPath: z.string().optional(),
  equals: z.string().optional(),
  timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
});

/** How a service exposes its health and the version it runs (P5, E5). */
export const healthCheckSchema = z.object({
  url: z.string().url(),
  /** Dotted path to the deployed SHA in the JSON body (default `version`). */
  versionPath: z.string().min(1).default('version'),
  /**
   * E5 by build identity, for a version that is not a bare SHA (`1.4.2+g3f2a9c1`, `build-812`): a
   * regular expression with a named group `sha` (a commit prefix, 7 to 40 hex digits) or `deployment`
   * (the id of the GitLab deployment that built it). The evidence records the pattern and what it captured.
   */
  versionPattern: z
    .string()
    .min(1)
    .max(500)
    .refine((p) => {
      try {
        const groups = Object.keys(new RegExp(`${p}|`).exec('')?.groups ?? {});
        return groups.includes('sha') || groups.includes('deployment');
      } catch {
        return false;
      }
    }, 'must be a regular expression with a named group (?<sha>…) or (?<deployment>…)')
    .optional(),
  expectStatus: z.number().int().default(200),
  timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
});

/** A service's own descriptor (D5): its branch, environment, jobs, health and checks. */
export const serviceDescriptorSchema = z.object({
  /** The target project's full path. */
  project: z
    .string()
    .min(1)
    .regex(/^[^\s/][^\s]*\/[^\s]+$/, 'must be a full project path like group/project'),
  /** Release branch of this service (defaults to the runbook's). */
  releaseBranch: z.string().min(1).optional(),
  /**
   * How the pick reaches release (S2, issue 19): `push` (GitLab's cherry-pick onto release),
   * `merge-request` (a `hotfix-release/pick/...` branch and a merge request into release), or `auto`
   * (merge-request exactly when release refuses this user's pushes; push otherwise).
   */
  pickMode: z.enum(['push', 'merge-request', 'auto']).default('auto'),
  /** Environment to watch (defaults to the runbook's). */
  environment: z.string().min(1).optional(),
  /** Names of the jobs that deploy to the environment. */
  deployJobs: z.array(z.string().min(1)).min(1).default(['deploy-staging']),
  /** Where the health endpoint reports the deployed version; absent means E5 relies on the deployment alone. */
  health: healthCheckSchema.optional(),
  /** The hotfix-specific smoke or acceptance checks (P6). */
  smokeChecks: z.array(smokeCheckSchema).default([]),
  /**
   * U2: the service documents its own staging process, as an http(s) URL or the path of the
   * document in its repository (e.g. `docs/staging.md`). Preflight then refuses the generic
   * flow for it and names the document.
   */
  ownStagingProcess: z
    .string()
    .min(1)
    .max(500)
    .refine(
      (s) =>
        /^https?:\/\//i.test(s)
          ? URL.canParse(s)
          : /^[^\s\-/\\][^\s\\]*$/.test(s) && !/^[a-z][a-z0-9+.-]*:/i.test(s) && !s.split('/').includes('..'),
      'must be an http(s) URL or a document path inside the repository (no scheme, no spaces, no leading "/", no "..")',
    )
    .optional(),
  /** This service's overrides of the orchestrator profile (`orchestration`). */
  orchestration: orchestratorOverrideSchema.optional(),
});

/** The runbook configuration schema (single source of truth for types and defaults). */
export const runbookConfigSchema = z
  .object({
    orchestration: z
      .object({
        project: z.string().min(1).default('evenergi/develop'),
        ref: z.string().min(1).default('main'),
        /** `inputs` (GitLab 17.10+) or `variables` for older instances. */
        inputsVia: z.enum(['inputs', 'variables']).default('inputs'),
        inputNames: z
          .object({
            action: z.string().min(1).default('action'),
            project: z.string().min(1).default('project'),
            confirm: z.string().min(1).default('confirm'),
          })
          .default({ action: 'action', project: 'project', confirm: 'confirm' }),
        deployAction: z.string().min(1).default(DEPLOY_ACTION),
        cutOffAction: z.string().min(1).default(CUT_OFF_ACTION),
        /** Type of `confirm` as the orchestrator declares it. */
        confirmType: z.enum(['boolean', 'string']).default('boolean'),
        /** The `project` input's value for a service (full path, short name or a map). */
        projectValue: projectValueSchema.default('full-path'),
        /** What a deploy run and a cut-off run contain, as GitLab shows them. */
        fingerprints: fingerprintsSchema.default(RUNBOOK_FINGERPRINTS),
        /** How the target's deploy is reached from the orchestration pipeline. */
        downstream: downstreamSchema.default(RUNBOOK_DOWNSTREAM),
      })
      .default({
        project: 'evenergi/develop',
        ref: 'main',
        inputsVia: 'inputs',
        inputNames: { action: 'action', project: 'project', confirm: 'confirm' },
        deployAction: DEPLOY_ACTION,
        cutOffAction: CUT_OFF_ACTION,
        confirmType: 'boolean',
        projectValue: 'full-path',
        fingerprints: RUNBOOK_FINGERPRINTS,
        downstream: RUNBOOK_DOWNSTREAM,
      }),
    releaseBranch: z.string().min(1).default('release'),
    environment: z.string().min(1).default('staging'),
    label: z.string().min(1).default('Validated in Staging'),
    /** Governed delivery work: the label is required (S7, E8). */
    governed: z.boolean().default(true),
    /** The MR must be approved (P1). */
    requireApproval: z.boolean().default(true),
    /** Commits release may lag the default branch before preflight warns that a cut-off looks intended (D2). */
    cutOffWarningCommits: z.number().int().min(1).default(25),
    services: z.array(serviceDescriptorSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    if (isCutOffAction(cfg.orchestration.deployAction, cfg.orchestration.cutOffAction)) {
      ctx.addIssue({
        code: 'custom',
        path: ['orchestration', 'deployAction'],
        message: `is the cut-off action "${cfg.orchestration.cutOffAction}", which is never used for a hotfix (S5)`,
      });
    }
    // Twice means one project however its path is cased (GitLab finds paths case-insensitively).
    const seen = new Set<string>();
    cfg.services.forEach((s, i) => {
      if (seen.has(projectKey(s.project)))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'project'], message: 'is listed twice' });
      seen.add(projectKey(s.project));
    });
  });

/** Runbook configuration as callers write it. */
export type RunbookConfigInput = z.input<typeof runbookConfigSchema>;
/** Runbook configuration with defaults applied. */
export type RunbookConfig = z.output<typeof runbookConfigSchema>;
/** A service descriptor with defaults applied. */
export type ServiceDescriptor = z.output<typeof serviceDescriptorSchema>;
/** A smoke check with defaults applied. */
export type SmokeCheck = z.output<typeof smokeCheckSchema>;

/**
 * Validates runbook configuration. A cut-off `deployAction` is refused as
 * `forbidden-action` (S5); any other bad field is `invalid-input` naming it.
 * @see S4 S5 D5
 */
export function parseRunbookConfig(input: unknown): Result<RunbookConfig, HotfixError> {
  const parsed = runbookConfigSchema.safeParse(input ?? {});
  if (parsed.success) return ok(parsed.data);
  const issues = zodIssues(parsed.error);
  const cutOff = issues.find((i) => i.pointer === '/orchestration/deployAction' && i.message.includes('(S5)'));
  if (cutOff) {
    return err(
      hotfixError('forbidden-action', `orchestration.deployAction ${cutOff.message}.`, {
        runbookRef: 'S5',
        details: {
          action: String((input as { orchestration?: { deployAction?: unknown } }).orchestration?.deployAction),
          source: 'config.orchestration.deployAction',
        },
      }),
    );
  }
  return err(
    hotfixError(
      'invalid-input',
      `Invalid runbook configuration: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
      {
        details: { pointer: issues[0]?.pointer ?? '', issues },
      },
    ),
  );
}

/** The service descriptor of a project, found as GitLab finds paths: `Group/Project` is `group/project`. */
function findService(config: RunbookConfig, project: string): ServiceDescriptor | undefined {
  return config.services.find((d) => projectKey(d.project) === projectKey(project));
}

/**
 * The descriptor for a target project (its path matched case-insensitively, as GitLab does), with the
 * runbook's defaults filled in.
 * @see P5 D5
 */
export function serviceFor(
  config: RunbookConfig,
  project: string,
): (ServiceDescriptor & { releaseBranch: string; environment: string }) | undefined {
  const s = findService(config, project);
  if (!s) return undefined;
  return {
    ...s,
    releaseBranch: s.releaseBranch ?? config.releaseBranch,
    environment: s.environment ?? config.environment,
  };
}

/** The orchestrator profile for one target: the runbook configuration's `orchestration` with the service's overrides. */
export type OrchestratorProfile = RunbookConfig['orchestration'];

/**
 * The orchestrator profile that applies to a target: `orchestration`, with what the target's
 * service descriptor overrides (`projectValue`, `fingerprints`, `downstream`).
 *
 * @see S4 E2 E3 D5
 */
export function orchestratorFor(config: RunbookConfig, target: string): OrchestratorProfile {
  const base = config.orchestration;
  const o = findService(config, target)?.orchestration;
  if (!o) return base;
  return {
    ...base,
    projectValue: o.projectValue ?? base.projectValue,
    fingerprints: {
      deploy: o.fingerprints?.deploy ?? base.fingerprints.deploy,
      cutOff: o.fingerprints?.cutOff ?? base.fingerprints.cutOff,
    },
    downstream: {
      reach: o.downstream?.reach ?? base.downstream.reach,
      sources: o.downstream?.sources ?? base.downstream.sources,
      windowMs: o.downstream?.windowMs ?? base.downstream.windowMs,
    },
  };
}

/**
 * The value the orchestrator's `project` input takes for a target (S4): its full path, its
 * short name, or the configured map's entry. A map without the target is `invalid-input`.
 *
 * @see S4 D5
 */
export function projectInputValue(profile: OrchestratorProfile, target: string): Result<string, HotfixError> {
  const pv = profile.projectValue;
  if (pv === 'full-path') return ok(target);
  if (pv === 'short-name') return ok(target.slice(target.lastIndexOf('/') + 1));
  const v = Object.hasOwn(pv.map, target) ? pv.map[target] : undefined;
  if (v !== undefined) return ok(v);
  return err(
    hotfixError('invalid-input', `orchestration.projectValue.map has no value for ${target}.`, {
      runbookRef: 'S4',
      details: {
        pointer: '/orchestration/projectValue/map',
        issues: [{ pointer: '/orchestration/projectValue/map', message: `no entry for ${target}` }],
      },
    }),
  );
}
