export { cliEventsJsonSchema } from './events-schema.js';
export type { CliExitCode } from './exit-codes.js';
export { EXIT_CODES } from './exit-codes.js';
export type { ProblemDetails } from './problem.js';
export { processDeps } from './process-deps.js';
export { CLI_VERSION, run } from './run.js';
export type { CliDeps } from './types.js';
