import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type DsseEnvelope, describeError, signBundle } from '@hotfix-release/evidence';
import { signWaivers } from '@hotfix-release/policy';
import { flag, type OptionTable, parseCommand, required, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { problem, usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command, CommandContext } from '../types.js';
import { readBundle, readTextFile } from './_files.js';

const flags: OptionTable = {
  key: { type: 'string' },
  keyid: { type: 'string' },
  output: { type: 'string' },
  waivers: { type: 'boolean' },
};

/** `hotfix evidence sign`: a DSSE envelope (in-toto statement) of a bundle, signed with ed25519. */
export const evidenceSignCommand: Command = {
  help: `Usage: hotfix evidence sign <bundle> --key <ed25519 private key (PEM)> [--keyid <id>] [--output <file>]
       hotfix evidence sign <waiver file> --waivers --key <ed25519 private key (PEM)> [--output <file>]

Sign an evidence bundle: an in-toto statement in a DSSE envelope, signed with an ed25519 private
key. With --waivers, sign a waiver file instead (the policy gate honours only signed waivers or
waivers read from the default branch). The envelope goes to --output, or stdout.

Example:
  hotfix evidence sign evidence.json --key signing-key.pem --output evidence.dsse.json
  hotfix evidence sign waivers.json --waivers --key lead-key.pem --output waivers.dsse.json
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) return ctx.io.fail(usageProblem('name exactly one evidence bundle'));
    const keyPath = resolve(cwd, required(p, 'key', '--key signing-key.pem'));
    const keyid = str(p, 'keyid');
    if (flag(p, 'waivers')) {
      const text = await readTextFile(resolve(cwd, file), 'Waiver file', 'invalid-waivers', EXIT_CODES.configuration);
      const privateKey = await readTextFile(keyPath, 'Private key', 'invalid-key', EXIT_CODES.configuration);
      const env = signWaivers(text, { privateKey, ...(keyid ? { keyid } : {}) });
      if (env.isErr())
        return ctx.io.fail(
          problem({ code: env.error.code, detail: describeError(env.error), exitCode: EXIT_CODES.configuration }),
        );
      return writeEnvelope(ctx, file, env.value, str(p, 'output'));
    }
    const bundle = await readBundle(resolve(cwd, file));
    const privateKey = await readTextFile(keyPath, 'Private key', 'invalid-key', EXIT_CODES.configuration);
    const signed = signBundle(bundle, { privateKey, ...(keyid ? { keyid } : {}) });
    if (!signed.isOk())
      return ctx.io.fail(
        problemFromError(signed.error, {
          exitCode: signed.error.code === 'invalid-key' ? EXIT_CODES.configuration : EXIT_CODES.unevaluable,
        }),
      );
    return writeEnvelope(ctx, file, signed.value, str(p, 'output'));
  },
};

async function writeEnvelope(
  ctx: CommandContext,
  file: string,
  envelope: DsseEnvelope,
  output: string | undefined,
): Promise<number> {
  const text = `${JSON.stringify(envelope, null, 2)}\n`;
  if (output) await writeFile(resolve(ctx.deps.cwd ?? '.', output), text);
  const keyidOut = envelope.signatures[0]?.keyid ?? '';
  if (ctx.io.json)
    return ctx.io.result(
      { command: 'evidence sign', ok: true, keyid: keyidOut, ...(output ? { output } : { envelope }) },
      EXIT_CODES.ok,
    );
  if (output) ctx.io.out(`Signed ${file} with key ${keyidOut}: ${output}\n`);
  else ctx.io.raw(text);
  return EXIT_CODES.ok;
}
