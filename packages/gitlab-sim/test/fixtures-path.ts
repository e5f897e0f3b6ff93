import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's one fixtures folder; fixtures/README.md gives each group's source and licence. */
const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

/**
 * The absolute path (with a trailing slash) of a fixture group such as `gitlab/api-schemas`.
 * Throws when `probe` is not in it, so a suite whose fixtures are missing fails instead of skipping.
 */
export function fixtureDir(group: string, probe: string, root: string = FIXTURES): string {
  const dir = `${join(root, group)}/`;
  if (!existsSync(join(dir, probe))) {
    throw new Error(`fixture ${group}/${probe} is missing under ${root} (see fixtures/README.md)`);
  }
  return dir;
}
