/**
 * Rename knowledge for one side of a merge (base → side): exact renames (same blob id), and
 * similarity renames only when clear-cut (one candidate well above git's 50%, no other near);
 * `mayHaveRenamed` gives a conservative "maybe" that turns results git could compute
 * differently into conflicts flagged `unsupported`.
 */
import type { LeafChange } from './tree-diff.js';
import { GITLINK_MODE, type LeafEntry, leafKind, type ObjectStore } from './types.js';

/** Git's default rename threshold is 50%; ours estimates differently, so keep a wide margin. */
const MAYBE_SIMILAR = 0.3;
/** Above this score (git's threshold is 50%) a unique candidate is taken as the rename. */
const RENAME_SURE = 0.65;
/** Beyond this many blob comparisons, assume a rename is possible rather than read more. */
const COMPARISON_BUDGET = 96;

/** The leaf additions and deletions of one side, indexed for rename queries. */
export class SideRenames {
  readonly adds: readonly LeafChange[];
  readonly dels: readonly LeafChange[];
  readonly #addsByOid = new Map<string, string[]>();
  readonly #delsByOid = new Map<string, string[]>();
  readonly #store: ObjectStore;
  #budget = COMPARISON_BUDGET;
  readonly #scores = new Map<string, { lo: number; hi: number }>();
  readonly #blobs = new Map<string, Uint8Array>();

  constructor(store: ObjectStore, changes: readonly LeafChange[]) {
    this.#store = store;
    this.adds = changes.filter((c) => c.a === undefined && c.b !== undefined);
    this.dels = changes.filter((c) => c.a !== undefined && c.b === undefined);
    for (const c of this.adds) push(this.#addsByOid, c.b!.oid, c.path);
    for (const c of this.dels) push(this.#delsByOid, c.a!.oid, c.path);
  }

  /**
   * The exact rename of `path` (a deleted leaf with blob `oid`): `{ to }` when exactly one added
   * path has that blob and no other deleted path does, `'ambiguous'` when several could pair,
   * `undefined` when none.
   */
  exactRename(path: string, oid: string): { readonly to: string } | 'ambiguous' | undefined {
    const to = this.#addsByOid.get(oid) ?? [];
    const from = this.#delsByOid.get(oid) ?? [];
    if (to.length === 0 || !from.includes(path)) return undefined;
    if (to.length === 1 && from.length === 1) return { to: to[0]! };
    return 'ambiguous';
  }

  /**
   * The rename of the deleted leaf `path`: exact first, else by similarity, but only when the
   * answer is clear-cut: exactly one added file scores at least {@link RENAME_SURE} against
   * it, no other added file reaches {@link MAYBE_SIMILAR}, and no other deleted file reaches
   * it against that one. Anything in between is `'ambiguous'`, which callers turn into an
   * unsupported conflict: git's own score decides such cases. `similar` is false when git
   * would not look for a similarity rename at all: it does so only for a source whose content
   * the other side changed (a deletion or a mode change does not count).
   */
  async findRename(
    path: string,
    source: LeafEntry,
    similar: boolean,
  ): Promise<{ readonly to: string } | 'ambiguous' | undefined> {
    const exact = this.exactRename(path, source.oid);
    if (exact !== undefined || source.mode === GITLINK_MODE || !similar) return exact;
    const targets = this.adds.filter((c) => c.b!.mode !== GITLINK_MODE);
    if (targets.length === 0) return undefined;
    if (targets.length + this.dels.length > this.#budget) return 'ambiguous';
    this.#budget -= targets.length + this.dels.length;
    const scored = [];
    for (const t of targets) scored.push({ path: t.path, ...(await this.#score(source.oid, t.b!.oid)) });
    const likely = scored.filter((x) => x.hi >= MAYBE_SIMILAR);
    if (likely.length === 0) return undefined;
    const best = likely[0]!;
    if (likely.length > 1 || best.lo < RENAME_SURE) return 'ambiguous';
    const target = targets.find((t) => t.path === best.path)!.b!;
    if (leafKind(target.mode) !== leafKind(source.mode)) return 'ambiguous';
    for (const d of this.dels) {
      if (
        d.path !== path &&
        d.a!.mode !== GITLINK_MODE &&
        (await this.#score(d.a!.oid, target.oid)).hi >= MAYBE_SIMILAR
      ) {
        return 'ambiguous';
      }
    }
    return { to: best.path };
  }

  /** Our similarity with and without a last line lacking its newline: git's lies in between. */
  async #score(a: string, b: string): Promise<{ lo: number; hi: number }> {
    const key = `${a}:${b}`;
    let score = this.#scores.get(key);
    if (score === undefined) {
      const [x, y] = [await this.#blob(a), await this.#blob(b)];
      const [p, q] = [similarity(x, y, true), similarity(x, y, false)];
      score = { lo: Math.min(p, q), hi: Math.max(p, q) };
      this.#scores.set(key, score);
    }
    return score;
  }

  async #blob(oid: string): Promise<Uint8Array> {
    let blob = this.#blobs.get(oid);
    if (blob === undefined) {
      blob = await this.#store.readBlob(oid);
      this.#blobs.set(oid, blob);
    }
    return blob;
  }

  /** Whether any of `sources` might have been renamed (exactly or by similarity) on this side. */
  async mayHaveRenamed(
    sources: readonly LeafEntry[],
    exclude: (path: string) => boolean = () => false,
  ): Promise<boolean> {
    const targets = this.adds.filter((c) => !exclude(c.path)).map((c) => c.b!);
    return this.#anySimilar(sources, targets);
  }

  /** Whether `target`, added on this side, might be a renamed copy of a file this side deleted. */
  async mayBeRenamedInto(target: LeafEntry): Promise<boolean> {
    return this.#anySimilar(
      this.dels.map((c) => c.a!),
      [target],
    );
  }

  async #anySimilar(sources: readonly LeafEntry[], targets: readonly LeafEntry[]): Promise<boolean> {
    if (targets.length === 0 || sources.length === 0) return false;
    if (sources.some((s) => targets.some((t) => t.oid === s.oid))) return true;
    // Gitlinks have no blob to compare; only their exact matches above count.
    const blobs = sources.filter((s) => s.mode !== GITLINK_MODE);
    const blobTargets = targets.filter((t) => t.mode !== GITLINK_MODE);
    if (blobs.length * blobTargets.length > this.#budget) return true;
    this.#budget -= blobs.length * blobTargets.length;
    for (const source of blobs) {
      const a = await this.#store.readBlob(source.oid);
      for (const t of blobTargets) {
        const b = await this.#store.readBlob(t.oid);
        if (Math.max(similarity(a, b, true), similarity(a, b, false)) >= MAYBE_SIMILAR) return true;
      }
    }
    return false;
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Share of bytes two blobs have in common, counted over chunks that end at a newline or
 * after 64 bytes (and, with `tail`, the unterminated rest), relative to the larger blob.
 * Empty blobs count as similar to anything.
 */
export function similarity(a: Uint8Array, b: Uint8Array, tail = true): number {
  const max = Math.max(a.byteLength, b.byteLength);
  if (max === 0 || Math.min(a.byteLength, b.byteLength) === 0) return 1;
  const counts = new Map<string, number>();
  for (const chunk of chunks(a, tail)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  let common = 0;
  for (const chunk of chunks(b, tail)) {
    const n = counts.get(chunk) ?? 0;
    if (n > 0) {
      common += chunk.length;
      counts.set(chunk, n - 1);
    }
  }
  return common / max;
}

function* chunks(data: Uint8Array, tail: boolean): Generator<string> {
  let start = 0;
  for (let i = 0; i < data.byteLength; i++) {
    if (data[i] === 10 || i - start === 63) {
      yield Buffer.from(data.subarray(start, i + 1)).toString('latin1');
      start = i + 1;
    }
  }
  if (tail && start < data.byteLength) yield Buffer.from(data.subarray(start)).toString('latin1');
}
