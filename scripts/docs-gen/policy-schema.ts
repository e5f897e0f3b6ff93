/**
 * docs/generated/policy.schema.json: the JSON Schema of the policy gate's own policy file, generated from
 * `policyJsonSchema()` of @hotfix-release/policy (the zod schema `policyFileSchema` is the source of truth).
 */
import { policyJsonSchema } from '@hotfix-release/policy';

/** The schema text written to docs/generated/policy.schema.json. */
export function policySchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
