/**
 * Renders a promotion's progress (the SDK's FlowEvent) on stderr: on a terminal a live status
 * line (spinner, elapsed time, step, current pipeline/job/deployment with its link) above the
 * finished steps; otherwise (pipes, CI) plain lines stamped with ISO 8601 UTC time.
 */
import type { FlowEvent } from '@hotfix-release/sdk';
import type { Io } from './types.js';

/** A progress renderer. */
export interface Progress {
  /** Receives the SDK's events. */
  readonly onEvent: (event: FlowEvent) => void;
  /** Prints a line of its own (e.g. "Stopping…"). */
  note(text: string): void;
  /** Stops redrawing and clears the status line. */
  stop(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** One line describing an event, and whether it is worth a line of its own. */
export function describeEvent(e: FlowEvent): { text: string; line: boolean } {
  switch (e.type) {
    case 'step':
      return { text: `${e.step}${e.target ? ` ${e.target}` : ''} ${e.status}: ${e.message}`, line: true };
    case 'pipeline-created':
      return { text: `pipeline #${e.pipelineId} created ${e.webUrl}`, line: true };
    case 'pipeline-adopted':
      return { text: `pipeline #${e.pipelineId} adopted (${e.why}) ${e.webUrl}`, line: true };
    case 'pipeline-status':
      return { text: `pipeline #${e.pipelineId} ${e.status}`, line: true };
    case 'downstream-found':
      return { text: `downstream pipeline #${e.pipelineId} in ${e.target} ${e.webUrl ?? ''}`.trim(), line: true };
    case 'job-started':
      return { text: `job ${e.job} started ${e.webUrl ?? ''}`.trim(), line: true };
    case 'deployment-running':
      return { text: `deployment #${e.deploymentId} running ${e.sha.slice(0, 12)}`, line: true };
    case 'deployment-finished':
      return { text: `deployment #${e.deploymentId} ${e.status}`, line: true };
    case 'health-ok':
      return { text: `health ok at ${e.url} (version ${e.version?.slice(0, 12) ?? 'unknown'})`, line: true };
    case 'health-not-ok':
      return { text: `health not ok at ${e.url}: ${e.problem}`, line: false };
    case 'waiting':
      return {
        text: `waiting for ${e.phase} (next check in ${Math.round(e.delayMs / 100) / 10}s, ${elapsed(e.remainingMs)} left)`,
        line: false,
      };
  }
}

/** Creates the renderer; `now` is injectable for tests. */
export function createProgress(io: Io, now: () => number = Date.now): Progress {
  const started = now();
  let current = 'starting';
  let link = '';
  let lastPlain = '';
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = () => {
    frame = (frame + 1) % SPINNER.length;
    const status = `${io.paint('yellow', SPINNER[frame] ?? '*')} ${io.paint('dim', elapsed(now() - started))} ${current}${link ? ` ${io.paint('dim', link)}` : ''}`;
    io.err(`\r\x1b[2K${status}`);
  };
  const clear = () => io.err('\r\x1b[2K');
  if (io.live) {
    timer = setInterval(draw, 200);
    timer.unref();
  }
  const mark = (e: FlowEvent) => {
    if (e.type !== 'step') return io.paint('dim', '·');
    if (e.status === 'done') return io.paint('green', '✓');
    if (e.status === 'failed') return io.paint('red', '✗');
    return e.status === 'skipped' ? io.paint('dim', '–') : io.paint('yellow', '›');
  };
  return {
    onEvent(e) {
      const { text, line } = describeEvent(e);
      if (io.live) {
        if (e.type === 'step' && e.status === 'start') current = text;
        if ('webUrl' in e && e.webUrl) link = e.webUrl;
        if (!line || (e.type === 'step' && e.status === 'start')) {
          current = e.type === 'step' ? current : text;
          draw();
          return;
        }
        clear();
        io.err(`${mark(e)} ${io.paint('dim', elapsed(now() - started))} ${text}\n`);
        draw();
        return;
      }
      const key = e.type === 'waiting' ? `waiting ${e.phase}` : text;
      if (!line && key === lastPlain) return;
      lastPlain = key;
      io.err(`${e.at} ${text}\n`);
    },
    note(text) {
      if (io.live) clear();
      io.err(io.live ? `${text}\n` : `${new Date(now()).toISOString()} ${text}\n`);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (io.live) clear();
    },
  };
}
