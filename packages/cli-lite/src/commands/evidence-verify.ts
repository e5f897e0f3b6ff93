import { resolve } from 'node:path';
import {
  describeError,
  EVIDENCE_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  parseStatement,
  verifyEnvelope,
} from '@hotfix-release/evidence';
import { type OptionTable, parseCommand, strs } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { problem, usageProblem } from '../problem.js';
import { errorDetail, problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { parseJsonText, readTextFile } from './_files.js';

const flags: OptionTable = { key: { type: 'string', multiple: true } };

/** `hotfix evidence verify`: checks a DSSE envelope's signature against trusted public keys. */
export const evidenceVerifyCommand: Command = {
  help: `Usage: hotfix evidence verify <envelope> --key <ed25519 public key (PEM)>...

Verify a signed evidence envelope (DSSE) with one or more trusted public keys and print who signed
it and what it covers. Exit 0 when a trusted signature verifies, 2 when it does not, 3 for a bad key.

Example:
  hotfix evidence verify evidence.dsse.json --key signing-key.pub.pem
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) return ctx.io.fail(usageProblem('name exactly one envelope file'));
    const keyFiles = strs(p, 'key');
    if (keyFiles.length === 0) return ctx.io.fail(usageProblem('--key <public key file> is required'));
    const keys = await Promise.all(
      keyFiles.map(async (k) => ({
        publicKey: await readTextFile(resolve(cwd, k), 'Public key', 'invalid-key', EXIT_CODES.configuration),
      })),
    );
    const path = resolve(cwd, file);
    const envelope = parseJsonText(
      await readTextFile(path, 'Envelope', 'evidence-unreadable', EXIT_CODES.unevaluable),
      file,
    );
    const verified = verifyEnvelope(envelope, keys);
    if (!verified.isOk())
      return ctx.io.fail(
        problemFromError(verified.error, {
          detail: `${file}: ${errorDetail(verified.error)}`,
          exitCode: verified.error.code === 'invalid-key' ? EXIT_CODES.configuration : EXIT_CODES.unevaluable,
          extra: { file },
        }),
      );
    // A valid signature over something else is not evidence: the payload must be our in-toto statement.
    if (verified.value.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      return ctx.io.fail(
        problem({
          code: 'wrong-payload-type',
          detail: `${file}: the signed payload is ${verified.value.payloadType}, not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE})`,
          exitCode: EXIT_CODES.unevaluable,
        }),
      );
    const statement = parseStatement(verified.value.payload);
    if (!statement.isOk() || statement.value.predicateType !== EVIDENCE_PREDICATE_TYPE)
      return ctx.io.fail(
        problem({
          code: 'invalid-statement',
          detail: `${file}: ${statement.isOk() ? `the statement's predicate type is ${statement.value.predicateType}, not ${EVIDENCE_PREDICATE_TYPE}` : describeError(statement.error)}`,
          exitCode: EXIT_CODES.unevaluable,
        }),
      );
    const subjects = statement.value.subject;
    if (ctx.io.json)
      return ctx.io.result(
        {
          command: 'evidence verify',
          ok: true,
          keyid: verified.value.keyid,
          payloadType: verified.value.payloadType,
          predicateType: statement.value.predicateType,
          subjects,
        },
        EXIT_CODES.ok,
      );
    ctx.io.out(`${ctx.io.paint('green', '✓')} ${file}: signature by ${verified.value.keyid} verifies\n`);
    for (const s of subjects) ctx.io.out(`  ${s.name} ${Object.values(s.digest).join(' ')}\n`);
    return EXIT_CODES.ok;
  },
};
