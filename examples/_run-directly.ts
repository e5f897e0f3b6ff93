/**
 * What the examples share when run directly with tsx (not when a test imports them): telling
 * whether this module is the entry point, reading `hotfix.config.json`, and parsing
 * `group/project!iid`. The environment is read here and nowhere else.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunbookConfigInput } from '@hotfix-release/sdk';

/** Whether the module with this `import.meta.url` is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(resolve(script)).href;
}

/** GitLab URL and token from the environment (GITLAB_URL, GITLAB_TOKEN), as the `hotfix` command reads them. */
export function gitlabFromEnv(file: { gitlab?: { url?: string } }): { gitlabUrl: string; token: string } {
  const gitlabUrl = process.env.GITLAB_URL ?? file.gitlab?.url;
  const token = process.env.GITLAB_TOKEN;
  if (!gitlabUrl || !token) throw new Error('set GITLAB_URL (or gitlab.url in hotfix.config.json) and GITLAB_TOKEN');
  return { gitlabUrl, token };
}

/** The `hotfix.config.json` of the working directory: `runbook` is the SDK's runbook configuration. */
export function readConfigFile(path = 'hotfix.config.json'): {
  gitlab?: { url?: string };
  runbook?: RunbookConfigInput;
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Parses `group/project!42`. */
export function parseMr(text: string | undefined): { project: string; iid: number } {
  const m = /^(.+\/.+)!(\d+)$/.exec(text ?? '');
  if (!m) throw new Error(`expected an MR like group/project!42, got "${text ?? ''}"`);
  return { project: m[1] as string, iid: Number(m[2]) };
}
