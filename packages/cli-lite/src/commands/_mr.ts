import { type Parsed, parseMr, str, strs } from '../args.js';
import type { Settings } from '../config.js';
import { ProblemError, usageProblem } from '../problem.js';

/** The MR from `--mr`, or in GitLab CI from CI_PROJECT_PATH and CI_MERGE_REQUEST_IID. */
export function mrOf(p: Parsed, settings: Settings): { project: string; iid: number } {
  const flag = str(p, 'mr');
  if (flag) return parseMr(flag);
  if (settings.ciMr) return settings.ciMr;
  throw new ProblemError(usageProblem('--mr <group/project>!<iid> is required (e.g. --mr evenergi/charging-api!42)'));
}

/** `--target` values, or undefined for "the MR's project". */
export function targetsOf(p: Parsed): string[] | undefined {
  const t = strs(p, 'target').flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return t.length ? t : undefined;
}
