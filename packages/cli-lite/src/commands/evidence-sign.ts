import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { signBundle } from '@hotfix-release/evidence';
import { parseCommand, required, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { readBundle, readTextFile } from './_files.js';

/** `hotfix evidence sign`: a DSSE envelope (in-toto statement) of a bundle, signed with ed25519. */
export const evidenceSignCommand: Command = {
  help: `Usage: hotfix evidence sign <bundle> --key <ed25519 private key (PEM)> [--keyid <id>] [--output <file>]

Sign an evidence bundle: an in-toto statement in a DSSE envelope, signed with an ed25519 private
key. The envelope goes to --output, or stdout.

Example:
  hotfix evidence sign evidence.json --key signing-key.pem --output evidence.dsse.json
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, { key: { type: 'string' }, keyid: { type: 'string' }, output: { type: 'string' } });
    const cwd = ctx.deps.cwd ?? '.';
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) return ctx.io.fail(usageProblem('name exactly one evidence bundle'));
    const keyPath = resolve(cwd, required(p, 'key', '--key signing-key.pem'));
    const bundle = await readBundle(resolve(cwd, file));
    const privateKey = await readTextFile(keyPath, 'Private key', 'invalid-key', EXIT_CODES.configuration);
    const keyid = str(p, 'keyid');
    const signed = signBundle(bundle, { privateKey, ...(keyid ? { keyid } : {}) });
    if (!signed.isOk())
      return ctx.io.fail(
        problemFromError(signed.error, {
          exitCode: signed.error.code === 'invalid-key' ? EXIT_CODES.configuration : EXIT_CODES.unevaluable,
        }),
      );
    const text = `${JSON.stringify(signed.value, null, 2)}\n`;
    const output = str(p, 'output');
    if (output) await writeFile(resolve(cwd, output), text);
    const keyidOut = signed.value.signatures[0]?.keyid ?? '';
    if (ctx.io.json)
      return ctx.io.result(
        { command: 'evidence sign', ok: true, keyid: keyidOut, ...(output ? { output } : { envelope: signed.value }) },
        EXIT_CODES.ok,
      );
    if (output) ctx.io.out(`Signed ${file} with key ${keyidOut}: ${output}\n`);
    else ctx.io.raw(text);
    return EXIT_CODES.ok;
  },
};
