export type { CliDeps } from './run.js';
export { CLI_VERSION, run } from './run.js';
