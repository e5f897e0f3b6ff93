import { evidenceJsonSchema } from '@hotfix-release/evidence';
import { type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { Command } from '../types.js';

const flags: OptionTable = {};

/** `hotfix evidence schema`: the JSON Schema of evidence bundles. */
export const evidenceSchemaCommand: Command = {
  help: `Usage: hotfix evidence schema

Print the JSON Schema (draft 2020-12) of evidence bundles, for editors and other validators.

Example:
  hotfix evidence schema > evidence.schema.json
`,
  options: flags,
  async run(ctx, argv) {
    parseCommand(argv, flags);
    ctx.io.raw(`${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`);
    return EXIT_CODES.ok;
  },
};
