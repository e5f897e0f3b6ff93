/**
 * What `hotfix rollback` checks before it reverts anything (issue 22, R1): the bundle it is told
 * to revert is sealed and its digest matches its content, a trusted signature covers that digest
 * when keys are given, and it was recorded on the GitLab instance this run talks to. Each refusal
 * names its reason; nothing is sent to GitLab before these pass.
 */
import { resolve } from 'node:path';
import { bundleDigest, describeError, parseStatement, verifyEnvelope } from '@hotfix-release/evidence';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem } from '../problem.js';
import { parseJsonText, readTextFile } from './_files.js';

/** Why a bundle was refused for rollback. */
export type BundleRefusal = 'unsealed' | 'digest-mismatch' | 'signature' | 'other-instance';

function refuse(reason: BundleRefusal, detail: string, file: string, exitCode: number): ProblemError {
  return new ProblemError(
    problem({
      code: 'rollback-refused',
      title: 'Rollback refused',
      detail,
      exitCode: exitCode as typeof EXIT_CODES.unevaluable,
      runbookRef: 'R1',
      extra: { reason, file },
    }),
  );
}

/** A URL as compared for "the same instance": origin and path, without trailing slashes or `/api/v4`. */
export function instanceKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '')}`;
  } catch {
    return url;
  }
}

/**
 * Checks the bundle file's seal: a `digest` present and equal to the digest of the file's own
 * content (computed on the raw JSON, so a field this reader does not know is covered too).
 * Returns the digest; throws a `rollback-refused` problem (exit 2) otherwise.
 */
export async function checkBundleSeal(path: string): Promise<string> {
  const raw = parseJsonText(
    await readTextFile(path, 'Evidence bundle', 'evidence-unreadable', EXIT_CODES.unevaluable),
    path,
  ) as { digest?: unknown };
  if (typeof raw?.digest !== 'string')
    throw refuse(
      'unsealed',
      `${path} is not sealed (no digest): an unsealed bundle cannot say what to revert.`,
      path,
      EXIT_CODES.unevaluable,
    );
  const expected = bundleDigest(raw);
  if (!expected.isOk() || expected.value !== raw.digest)
    throw refuse(
      'digest-mismatch',
      `${path} was changed after it was sealed (its digest ${raw.digest} does not match its content${expected.isOk() ? ` ${expected.value}` : ''}).`,
      path,
      EXIT_CODES.unevaluable,
    );
  return raw.digest;
}

/**
 * With trusted public keys, checks that the DSSE envelope at `envelopePath` verifies and that the
 * bundle it attests carries `digest`. Throws a `rollback-refused` problem (exit 2) otherwise.
 */
export async function checkBundleSignature(
  cwd: string,
  envelopePath: string,
  keyFiles: readonly string[],
  digest: string,
): Promise<void> {
  const keys = await Promise.all(
    keyFiles.map(async (k) => ({
      publicKey: await readTextFile(resolve(cwd, k), 'Public key', 'invalid-key', EXIT_CODES.configuration),
    })),
  );
  const envelope = parseJsonText(
    await readTextFile(envelopePath, 'Signature envelope', 'evidence-unreadable', EXIT_CODES.unevaluable),
    envelopePath,
  );
  const verified = verifyEnvelope(envelope, keys);
  if (!verified.isOk())
    throw refuse(
      'signature',
      `${envelopePath}: ${describeError(verified.error)}`,
      envelopePath,
      EXIT_CODES.unevaluable,
    );
  const statement = parseStatement(verified.value.payload);
  const signedDigest = statement.isOk() ? (statement.value.predicate as { digest?: unknown }).digest : undefined;
  if (signedDigest !== digest)
    throw refuse(
      'signature',
      `The signature in ${envelopePath} covers a bundle with digest ${String(signedDigest)}, not this one (${digest}).`,
      envelopePath,
      EXIT_CODES.unevaluable,
    );
}

/** Refuses (exit 3) a bundle recorded on another GitLab instance than the one configured. */
export function checkBundleInstance(path: string, recorded: string, configured: string): void {
  if (instanceKey(recorded) === instanceKey(configured)) return;
  throw refuse(
    'other-instance',
    `${path} was recorded on ${instanceKey(recorded)}, but this run talks to ${instanceKey(configured)}; a rollback reverts only on the instance that promoted.`,
    path,
    EXIT_CODES.configuration,
  );
}
