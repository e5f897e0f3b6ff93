import { z } from 'zod';
import { promotionBundleSchema } from './schema/bundle-schema.js';

/**
 * The evidence bundle schema as JSON Schema (draft 2020-12), for tools that do not use zod.
 * Refinements that JSON Schema cannot express (URLs without credentials) are checked by {@link parseBundle} only.
 *
 * @example
 * ```ts
 * import Ajv2020 from 'ajv/dist/2020.js';
 * const validate = new Ajv2020().compile(evidenceJsonSchema());
 * ```
 */
export function evidenceJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(promotionBundleSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}
