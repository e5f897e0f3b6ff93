import {
  bundleDigest,
  canonicalJson,
  EVIDENCE_PREDICATE_TYPE,
  hotfixKey,
  hotfixRef,
  IN_TOTO_PAYLOAD_TYPE,
  statementSubjects,
} from '@hotfix-release/evidence';
import { type ControlCheck, disagreement, need, outcome } from './control-context.js';
import { isGoverned } from './validation-controls.js';

/** bundle-digest: the sealed digest equals the digest of the raw bundle's canonical JSON. Internal. */
export const checkDigest: ControlCheck = (ctx) => {
  const raw = ctx.integrity.raw as { digest?: unknown };
  if (typeof raw.digest !== 'string')
    return outcome.fail('the bundle is not sealed with a digest', '/digest', 'sha256:<hex>', raw.digest ?? null);
  const actual = bundleDigest(raw);
  if (!actual.isOk()) return outcome.error(`the bundle cannot be canonicalised: ${actual.error.message}`, '/digest');
  if (actual.value !== raw.digest)
    return outcome.fail('the bundle changed after it was sealed', '/digest', actual.value, raw.digest);
  return outcome.pass(`digest ${actual.value} matches`, '/digest');
};

/**
 * bundle-signature: a trusted key verified the DSSE envelope. Applies when keys are configured or a
 * signature is required (CI); required with no key configured is an `error`, unless the policy allows
 * unsigned evidence. Internal.
 */
export const checkSignature: ControlCheck = (ctx) => {
  const env = ctx.integrity.envelope;
  const required = ctx.integrity.signatureRequired;
  if (required && ctx.expected.allowUnsigned && !ctx.integrity.keysConfigured && !env)
    return outcome.notApplicable('UNSIGNED evidence accepted: the policy file sets signing.allowUnsigned', '');
  if (!ctx.integrity.keysConfigured)
    return outcome.error(
      'signed or refused: a signature is required but the policy file names no trusted key (signing.trustedKeys)',
      '',
    );
  if (!env) {
    if (required && ctx.expected.allowUnsigned)
      return outcome.notApplicable('UNSIGNED evidence accepted: the policy file sets signing.allowUnsigned', '');
    return outcome.fail(
      'signed or refused: the input is a bare bundle, not a signed envelope',
      '',
      'a DSSE envelope',
      'bare bundle',
    );
  }
  const v = env.verification;
  if (!v) return outcome.error('the envelope was not verified', '');
  if (!v.ok) return outcome.fail(`signature does not verify: ${v.message}`, '', 'a valid signature', 'invalid');
  return outcome.pass(`signed by ${v.keyid}`, '');
};

function sameInstance(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.protocol}//${x.host}${x.pathname.replace(/\/+$/, '')}`.toLowerCase();
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/**
 * bundle-claims: what the bundle says about itself (instance, MR, settings, governed) agrees with the gate's
 * expectations; the failure names which source said what. Instance and MR are required. Internal.
 */
export const checkClaims: ControlCheck = (ctx) => {
  const b = ctx.bundle;
  const gitlabUrl = need(ctx, 'gitlabUrl');
  if (!sameInstance(gitlabUrl, b.gitlabUrl))
    return outcome.fail(disagreement(ctx, 'gitlabUrl', gitlabUrl, b.gitlabUrl), '/gitlabUrl', gitlabUrl, b.gitlabUrl);
  // D4 as a whole: exactly the merge requests the gate asked for; one it did not ask for, or one missing, fails.
  const want = need(ctx, 'mrs').map(hotfixRef);
  const got = b.hotfixes.map((h) => hotfixRef(h.mr));
  // Compared as GitLab does, by identity: `Group/Project!1` is `group/project!1`.
  const wantKeys = want.map(hotfixKey);
  const gotKeys = got.map(hotfixKey);
  // One MR each side reads as it always did: `expects "a!1"; the bundle says "a!2"`.
  const said = (refs: readonly string[]) => (refs.length === 1 ? refs[0] : refs);
  const extra = gotKeys.findIndex((key) => !wantKeys.includes(key));
  if (extra >= 0)
    return outcome.fail(
      `${disagreement(ctx, 'mr', said(want), said(got))}: it promotes ${got[extra]}, which the gate did not ask for`,
      `/hotfixes/${extra}/mr`,
      want,
      got,
    );
  const missing = want.find((ref) => !gotKeys.includes(hotfixKey(ref)));
  if (missing)
    return outcome.fail(
      `${disagreement(ctx, 'mr', said(want), said(got))}: ${missing} is missing`,
      '/hotfixes',
      want,
      got,
    );
  const settings = [
    ['orchestrationProject', b.settings.orchestrationProject],
    ['releaseBranch', b.settings.releaseBranch],
    ['environment', b.settings.environment],
    ['label', b.settings.label],
  ] as const;
  for (const [key, claimed] of settings) {
    const want = ctx.expected[key];
    if (want !== undefined && want !== claimed)
      return outcome.fail(disagreement(ctx, key, want, claimed), `/settings/${key}`, want, claimed);
  }
  const governed = ctx.expected.governedProjects;
  if (governed !== undefined) {
    for (const [i, h] of b.hotfixes.entries()) {
      const wantGoverned = isGoverned(governed, h.mr.project);
      if (wantGoverned !== h.governed)
        return outcome.fail(
          disagreement(ctx, 'governed', wantGoverned, h.governed),
          `/hotfixes/${i}/governed`,
          wantGoverned,
          h.governed,
        );
    }
  }
  return outcome.pass(`evidence of ${got.join(', ')} on ${gitlabUrl}, as expected`, '/hotfixes');
};

/** bundle-subject: the statement's subjects are exactly this bundle's promoted targets at their release heads. Internal. */
export const checkSubject: ControlCheck = (ctx) => {
  const env = ctx.integrity.envelope;
  if (!env) return outcome.notApplicable('not a signed envelope', '');
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return outcome.fail('the envelope does not carry an in-toto statement', '', IN_TOTO_PAYLOAD_TYPE, env.payloadType);
  }
  if (env.statement.predicateType !== EVIDENCE_PREDICATE_TYPE) {
    return outcome.fail(
      'the statement has another predicate type',
      '',
      EVIDENCE_PREDICATE_TYPE,
      env.statement.predicateType,
    );
  }
  const expected = statementSubjects(ctx.bundle);
  const key = (s: unknown) => {
    const c = canonicalJson(s);
    return c.isOk() ? c.value : '';
  };
  const want = expected.map(key).sort();
  const got = env.statement.subject.map(key).sort();
  if (want.length === 0 || want.join('\n') !== got.join('\n')) {
    return outcome.fail(
      'the statement subjects are not exactly the promoted targets',
      '/promotedTargets',
      expected,
      env.statement.subject,
    );
  }
  return outcome.pass(`${got.length} subject(s), one per promoted target`, '/promotedTargets');
};

/** promoted-targets (D4): promotedTargets lists exactly the promoted targets; none pending; at least one. Internal. */
export const checkPromotedTargets: ControlCheck = (ctx) => {
  const b = ctx.bundle;
  const projects = b.targets.map((t) => t.project);
  const dup = projects.find((p, i) => projects.indexOf(p) !== i);
  if (dup)
    return outcome.fail(
      `target ${dup} appears twice`,
      `/targets/${projects.lastIndexOf(dup)}/project`,
      'unique targets',
      dup,
    );
  const pending = b.targets.findIndex((t) => t.outcome === 'pending');
  if (pending >= 0)
    return outcome.fail(
      'a target is still pending: the promotion did not finish',
      `/targets/${pending}/outcome`,
      'promoted, failed or rolled_back',
      'pending',
    );
  const promoted = b.targets
    .filter((t) => t.outcome === 'promoted')
    .map((t) => t.project)
    .sort();
  const named = [...b.promotedTargets].sort();
  if (promoted.join('\n') !== named.join('\n')) {
    return outcome.fail(
      'promotedTargets does not name exactly the promoted targets',
      '/promotedTargets',
      promoted,
      b.promotedTargets,
    );
  }
  if (promoted.length === 0)
    return outcome.fail('no target was promoted', '/promotedTargets', '≥ 1 promoted target', []);
  return outcome.pass(`promoted: ${promoted.join(', ')}`, '/promotedTargets');
};
