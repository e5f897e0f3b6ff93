import type { CliDeps } from './types.js';

/**
 * The real process as {@link CliDeps}: stdout, stderr, the environment (the one place the CLI reads
 * `process.env`), the working directory, whether the streams are terminals, and Ctrl-C. A second
 * Ctrl-C while a command is stopping ends the process at once with exit code 130.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), processDeps());
 * ```
 */
export function processDeps(): CliDeps {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stderrColumns: () => (process.stderr.isTTY ? process.stderr.columns : undefined),
    onResize: (handler) => {
      process.stderr.on('resize', handler);
      return () => process.stderr.off('resize', handler);
    },
    onInterrupt: (handler) => {
      let count = 0;
      const listener = () => {
        count += 1;
        if (count > 1) process.exit(130);
        handler();
      };
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  };
}
