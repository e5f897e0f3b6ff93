/**
 * Seeded generator of random repositories and picks for the merge oracle. Each case is a
 * base commit B, a release commit O (B + random edits), a picked commit C on a parent P (B,
 * or B + unrelated edits for a backport) and R (C + more edits) to revert C from. Files mix
 * text, CRLF, latin1, no final newline, binary, executables, symlinks and gitlinks; edits
 * add, delete, rename (exact and with edits), change modes and swap files and directories.
 */
export type Rng = () => number;

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FileState {
  readonly mode: string;
  readonly data: Buffer;
}
export type RepoState = Map<string, FileState>;

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const NAMES = ['a', 'b', 'c', 'lib', 'src', 'doc', 'x', 'util', 'main', 'test'];
const REPEATED = ['}\n', '\n', '  return x;\n', 'end\n'];

function textFile(r: Rng, lines: number): Buffer {
  const eol = r() < 0.15 ? '\r\n' : '\n';
  const latin = r() < 0.2;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(line(r, latin, eol));
  let text = out.join('');
  if (r() < 0.15) text = text.replace(/\r?\n$/, '');
  return Buffer.from(text, 'latin1');
}

function line(r: Rng, latin: boolean, eol: string): string {
  if (r() < 0.08) return pick(r, REPEATED).replace('\n', eol);
  const word = Math.floor(r() * 1e6).toString(36);
  return `${latin && r() < 0.5 ? 'caf\u00e9 \u00fc' : 'line'} ${word}${eol}`;
}

function binaryFile(r: Rng): Buffer {
  const b = Buffer.alloc(16 + Math.floor(r() * 48));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  b[3] = 0;
  return b;
}

function randomPath(r: Rng, state: RepoState): string {
  const dirs = [...new Set([...state.keys()].map((p) => p.split('/').slice(0, -1).join('/')))];
  const dir =
    r() < 0.6 && dirs.length > 0
      ? pick(r, dirs)
      : Array.from({ length: Math.floor(r() * 3) }, () => pick(r, NAMES)).join('/');
  const name = `${pick(r, NAMES)}${Math.floor(r() * 20)}${r() < 0.5 ? '.txt' : ''}`;
  return dir ? `${dir}/${name}` : name;
}

function newFile(r: Rng): FileState {
  const k = r();
  if (k < 0.07) return { mode: '100644', data: binaryFile(r) };
  if (k < 0.12) return { mode: '120000', data: Buffer.from(`target-${Math.floor(r() * 5)}`) };
  if (k < 0.15) return { mode: '160000', data: Buffer.from(sha(r)) };
  return { mode: r() < 0.1 ? '100755' : '100644', data: textFile(r, 2 + Math.floor(r() * 14)) };
}

function sha(r: Rng): string {
  let s = '';
  for (let i = 0; i < 40; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

/** Whether adding a leaf at `path` keeps the state a valid tree (no file/directory clash). */
function fits(state: RepoState, path: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) if (state.has(parts.slice(0, i).join('/'))) return false;
  for (const p of state.keys()) if (p.startsWith(`${path}/`)) return false;
  return true;
}

function editText(r: Rng, data: Buffer): Buffer {
  const text = data.toString('latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/(?<=\n)/);
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (lines.length + 1));
    const k = r();
    if (k < 0.35) lines.splice(at, 0, line(r, false, eol));
    else if (k < 0.6 && lines.length > 1) lines.splice(at, 1);
    else lines.splice(Math.min(at, lines.length - 1), 1, line(r, r() < 0.3, eol));
  }
  let out = lines.join('');
  if (r() < 0.05) out = out.endsWith('\n') ? out.replace(/\r?\n$/, '') : out + eol;
  return Buffer.from(out, 'latin1');
}

/** Applies 1–4 random edits, preferring `hot` paths so both sides collide often. */
export function mutate(r: Rng, input: RepoState, hot: readonly string[]): RepoState {
  const state = new Map(input);
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const paths = [...state.keys()];
    const live = hot.filter((p) => state.has(p));
    const target = live.length > 0 && r() < 0.6 ? pick(r, live) : paths.length > 0 ? pick(r, paths) : undefined;
    const k = r();
    const f = target === undefined ? undefined : state.get(target);
    if (target === undefined || f === undefined || k < 0.15) {
      const path = randomPath(r, state);
      if (fits(state, path) && !state.has(path)) state.set(path, newFile(r));
    } else if (k < 0.55) {
      if (f.mode === '160000') state.set(target, { mode: f.mode, data: Buffer.from(sha(r)) });
      else if (f.mode === '120000')
        state.set(target, { mode: f.mode, data: Buffer.from(`target-${Math.floor(r() * 5)}`) });
      else if (f.data.includes(0)) state.set(target, { mode: f.mode, data: binaryFile(r) });
      else state.set(target, { mode: f.mode, data: editText(r, f.data) });
    } else if (k < 0.65) {
      state.delete(target);
    } else if (k < 0.8) {
      const to = randomPath(r, state);
      state.delete(target);
      if (!fits(state, to) || state.has(to)) state.set(target, f);
      else
        state.set(
          to,
          r() < 0.3 && f.mode !== '160000' && !f.data.includes(0) ? { ...f, data: editText(r, f.data) } : f,
        );
    } else if (k < 0.88) {
      if (f.mode === '100644' || f.mode === '100755')
        state.set(target, { ...f, mode: f.mode === '100644' ? '100755' : '100644' });
    } else if (k < 0.93) {
      const dir = target.split('/').slice(0, -1).join('/');
      if (dir) for (const p of [...state.keys()]) if (p.startsWith(`${dir}/`)) state.delete(p);
    } else {
      state.delete(target);
      const child = `${target}/${pick(r, NAMES)}`;
      if (fits(state, child)) state.set(child, newFile(r));
      else state.set(target, f);
    }
  }
  return state;
}

/** A random starting tree of 4–20 leaves. */
export function randomBase(r: Rng): RepoState {
  const state: RepoState = new Map();
  const n = 4 + Math.floor(r() * 16);
  for (let i = 0; i < n; i++) {
    const path = randomPath(r, state);
    if (fits(state, path) && !state.has(path)) state.set(path, newFile(r));
  }
  return state;
}

/** The commits of one oracle case. */
export interface OracleCase {
  readonly base: RepoState;
  readonly ours: RepoState;
  readonly parent: RepoState;
  readonly picked: RepoState;
  readonly revertFrom: RepoState;
  readonly backport: boolean;
}

/** Builds case number `index` of the run seeded with `seed`. */
export function randomCase(seed: number, index: number): OracleCase {
  const r = rng(seed * 1_000_003 + index);
  const base = randomBase(r);
  const paths = [...base.keys()];
  const hot = paths.filter(() => r() < 0.35);
  const backport = r() < 0.2;
  const parent = backport ? mutate(r, base, []) : base;
  const picked = mutate(r, parent, hot);
  const applied = r() < 0.15;
  const ours = mutate(r, applied ? picked : base, hot);
  const revertFrom = mutate(r, picked, hot);
  return { base, ours, parent, picked, revertFrom, backport };
}
