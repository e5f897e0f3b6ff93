/**
 * Renders a promotion's progress (the SDK's FlowEvent) on stderr: on a terminal one live status
 * line (spinner, elapsed time, current step, current pipeline/job/deployment link), cut to the
 * terminal's width so it never wraps and redrawn in place, with each finished step printed once
 * above it; otherwise (pipes, CI) plain lines stamped with ISO 8601 UTC time. With
 * `--events ndjson` every event goes to stdout as one JSON line instead.
 */
import type { FlowEvent } from '@hotfix-release/sdk';
import { displayWidth, fitStatus, inert } from './live-line.js';
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
/** How often the spinner turns while nothing happens. */
const FRAME_MS = 200;

function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * One line describing an event, the link it carries, and whether it is a finished fact worth a
 * line of its own (a step's start and the waits only update the status line).
 */
export function describeEvent(e: FlowEvent): { text: string; line: boolean; link?: string } {
  const d = describeRaw(e);
  return { ...d, text: inert(d.text), ...(d.link ? { link: inert(d.link) } : {}) };
}

function describeRaw(e: FlowEvent): { text: string; line: boolean; link?: string } {
  switch (e.type) {
    case 'step':
      return {
        text: `${e.step}${e.target ? ` ${e.target}` : ''} ${e.status}: ${e.message}`,
        line: e.status !== 'start',
      };
    case 'pipeline-created':
      return { text: `pipeline #${e.pipelineId} created`, line: true, link: e.webUrl };
    case 'pipeline-adopted':
      return { text: `pipeline #${e.pipelineId} adopted (${e.why})`, line: true, link: e.webUrl };
    case 'pipeline-status':
      return { text: `pipeline #${e.pipelineId} ${e.status}`, line: true };
    case 'downstream-found':
      return { text: `downstream pipeline #${e.pipelineId} in ${e.target}`, line: true, ...link(e.webUrl) };
    case 'job-started':
      return { text: `job ${e.job} started`, line: true, ...link(e.webUrl) };
    case 'deployment-running':
      return { text: `deployment #${e.deploymentId} running ${e.sha.slice(0, 12)}`, line: true };
    case 'deployment-finished':
      return { text: `deployment #${e.deploymentId} ${e.status}`, line: true };
    case 'health-ok':
      return { text: `health ok (version ${e.version?.slice(0, 12) ?? 'unknown'})`, line: true, link: e.url };
    case 'health-not-ok':
      return { text: `health not ok: ${e.problem}`, line: false, link: e.url };
    case 'waiting':
      return {
        text: `waiting for ${e.phase} (next check in ${Math.round(e.delayMs / 100) / 10}s, ${elapsed(e.remainingMs)} left)`,
        line: false,
      };
  }
}

function link(url: string | undefined): { link?: string } {
  return url ? { link: url } : {};
}

/** The whole line for a log: text and link. */
function logLine(d: { text: string; link?: string }): string {
  return d.link ? `${d.text} ${d.link}` : d.text;
}

/** Creates the renderer for this run's output mode; `now` is injectable for tests. */
export function createProgress(io: Io, now: () => number = Date.now): Progress {
  if (io.events) return eventStream(io);
  if (io.live) return liveDisplay(io, now);
  return plainLines(io, now);
}

/** `--events ndjson`: each event as one JSON line on stdout (the result document comes last). */
function eventStream(io: Io): Progress {
  return { onEvent: (e) => io.event(e), note: (text) => io.err(`${text}\n`), stop: () => {} };
}

/** Pipes and CI: one ISO-stamped line per finished fact, and a wait only when its phase changes. */
function plainLines(io: Io, now: () => number): Progress {
  let last = '';
  return {
    onEvent(e) {
      const d = describeEvent(e);
      const key = e.type === 'waiting' ? `waiting ${e.phase}` : logLine(d);
      if (!d.line && e.type !== 'step' && key === last) return;
      last = key;
      io.err(`${e.at} ${logLine(d)}\n`);
    },
    note: (text) => io.err(`${new Date(now()).toISOString()} ${text}\n`),
    stop: () => {},
  };
}

/** A terminal: finished facts printed once above a status line redrawn in place. */
function liveDisplay(io: Io, now: () => number): Progress {
  const started = now();
  let current = 'starting';
  let currentLink: string | undefined;
  let frame = 0;
  let drawnWidth = 0;
  let stopped = false;
  const clock = () => io.paintErr('dim', elapsed(now() - started));
  // Erase what the status line occupies: after a resize to fewer columns the terminal may have
  // re-wrapped the last drawn line over several rows, so go up to its first row before erasing.
  const clear = () => {
    const rows = drawnWidth > 0 ? Math.ceil(drawnWidth / io.columns()) : 1;
    io.err(rows > 1 ? `\r\x1b[${rows - 1}A\x1b[J` : '\r\x1b[2K');
    drawnWidth = 0;
  };
  const draw = () => {
    if (stopped) return;
    const prefix = `${io.paintErr('yellow', SPINNER[frame] ?? '*')} ${clock()}`;
    const line = fitStatus({ prefix, text: current, link: currentLink }, io.columns(), (s) => io.paintErr('dim', s));
    clear();
    io.err(line);
    drawnWidth = displayWidth(line);
  };
  const timer = setInterval(() => {
    frame = (frame + 1) % SPINNER.length;
    draw();
  }, FRAME_MS);
  timer.unref();
  const unsubscribe = io.onResize(draw);
  const mark = (e: FlowEvent) => {
    if (e.type !== 'step') return io.paintErr('dim', '·');
    if (e.status === 'done') return io.paintErr('green', '✓');
    if (e.status === 'failed') return io.paintErr('red', '✗');
    return io.paintErr('dim', '–');
  };
  return {
    onEvent(e) {
      const d = describeEvent(e);
      if (d.link) currentLink = d.link;
      if (!d.line) {
        current = d.text;
        if (e.type === 'step') currentLink = undefined;
        draw();
        return;
      }
      clear();
      io.err(`${mark(e)} ${clock()} ${logLine(d)}\n`);
      draw();
    },
    note(text) {
      clear();
      io.err(`${text}\n`);
      draw();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      clear();
    },
  };
}
