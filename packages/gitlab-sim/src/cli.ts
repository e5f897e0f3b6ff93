import { parseArgs } from 'node:util';
import { REALISTIC_SWITCHES } from './realistic.js';
import { scenarioNames } from './scenarios/index.js';
import { startGitLabSim } from './server.js';

const USAGE = `Usage: hotfix-gitlab-sim serve [--port N] [--scenario NAME] [--state-dir DIR] [--token TOKEN]
                              [--realistic | --realistic-switch NAME ...]
                              [--gitlab-version VERSION] [--enterprise]

Starts a GitLab REST v4 + git smart-HTTP simulator on 127.0.0.1 and prints one JSON
line with "url", "token", "projects", "scenario" and "realistic". Serves until SIGINT or SIGTERM.
--realistic turns on every realistic switch; --realistic-switch (repeatable) only the named
ones: ${REALISTIC_SWITCHES.join(', ')}.
--gitlab-version (e.g. 16.11.2, a GitLab without pipeline inputs) and --enterprise set what
/version and /metadata report.
`;

/** Runs the simulator's command line; resolves with an exit code, or undefined while serving. */
export async function runCli(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command !== 'serve') {
    process.stdout.write(USAGE);
    return command === '--help' || command === '-h' ? 0 : 64;
  }
  const { values } = parseArgs({
    args: [...rest],
    options: {
      port: { type: 'string' },
      scenario: { type: 'string' },
      'state-dir': { type: 'string' },
      token: { type: 'string' },
      host: { type: 'string' },
      realistic: { type: 'boolean' },
      'realistic-switch': { type: 'string', multiple: true },
      'gitlab-version': { type: 'string' },
      enterprise: { type: 'boolean' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`hotfix-gitlab-sim: --port must be an integer from 0 to 65535, got "${values.port}"\n`);
    return 64;
  }
  const picked = values['realistic-switch'] ?? [];
  const unknown = picked.find((n) => !(REALISTIC_SWITCHES as readonly string[]).includes(n));
  if (unknown !== undefined) {
    process.stderr.write(
      `hotfix-gitlab-sim: --realistic-switch "${unknown}" is not one of ${REALISTIC_SWITCHES.join(', ')}\n`,
    );
    return 64;
  }
  const version = values['gitlab-version'];
  if (version !== undefined && !/^\d+\.\d+(\.\d+)?(-[\w.-]+)?$/.test(version)) {
    process.stderr.write(`hotfix-gitlab-sim: --gitlab-version must look like 17.11.2 or 18.1.0-ee, got "${version}"\n`);
    return 64;
  }
  const realistic = values.realistic ? true : Object.fromEntries(picked.map((n) => [n, true]));
  const scenario = values.scenario ?? (scenarioNames().includes('demo') ? 'demo' : 'empty');
  const sim = await startGitLabSim({
    realistic,
    port,
    scenario,
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(values.host ? { host: values.host } : {}),
    instance: {
      ...(version !== undefined ? { version } : {}),
      ...(values.enterprise ? { enterprise: true } : {}),
    },
  });
  process.stdout.write(
    `${JSON.stringify({
      url: sim.url,
      apiUrl: sim.apiUrl,
      token: sim.token,
      projects: sim.projects,
      scenario,
      realistic: sim.realistic,
    })}\n`,
  );
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}
