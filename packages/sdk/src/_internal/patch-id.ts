/**
 * `git patch-id --stable` on diff text, established by experiment against native git:
 * - every line of a file's patch is hashed with all ASCII whitespace removed, except `index`
 *   lines, `@@` hunk headers and `\ No newline at end of file` markers; the `diff --git`,
 *   mode, rename and `---`/`+++` lines are hashed;
 * - a file's hash is closed (added to the result) when the next `diff` line follows its hunks,
 *   and at the end; header-only patches (a mode change, a pure rename) therefore share one
 *   hash with the file after them;
 * - a binary file hashes its header lines plus the two blob ids as printed on its `index`
 *   line and closes; the `diff` line of the file after it is not hashed, and the final close
 *   always happens, even on an empty hash (git's quirks, reproduced);
 * - the result is the byte-wise little-endian sum (with carry) of the closed SHA-1 digests.
 */
import { createHash, type Hash } from 'node:crypto';

const WHITESPACE = /[ \t\n\v\f\r]/g;

/**
 * Computes `git patch-id --stable` of one patch given as unified diff text (`git diff`,
 * `git show`, `git format-patch` output). Lines before the first `diff ` line (commit header,
 * message) are ignored. Returns `undefined` when the text holds no diff.
 */
export function patchId(diff: string): string | undefined {
  const sum = new Uint8Array(20);
  let ctx: Hash = createHash('sha1');
  let state: 'preamble' | 'header' | 'hunks' | 'skip' = 'preamble';
  let before = 0;
  let after = 0;
  let oids: [string, string] = ['', ''];
  let seen = false;
  const flush = (): void => {
    const digest = ctx.digest();
    let carry = 0;
    for (let i = 0; i < 20; i++) {
      carry += sum[i]! + digest[i]!;
      sum[i] = carry & 0xff;
      carry >>= 8;
    }
    ctx = createHash('sha1');
  };
  const hash = (line: string): void => {
    ctx.update(line.replace(WHITESPACE, ''), 'latin1');
  };
  for (const raw of diff.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (state === 'preamble' || state === 'skip') {
      if (!line.startsWith('diff ')) continue;
      const afterBinary = state === 'skip';
      state = 'header';
      seen = true;
      // git does not hash the `diff` line of the file that follows a binary file.
      if (afterBinary) continue;
    }
    if (state === 'hunks' && before <= 0 && after <= 0) {
      if (line.startsWith('@@ -')) {
        [before, after] = hunkCounts(line);
        continue;
      }
      if (line.startsWith('\\')) continue;
      if (!line.startsWith('diff ')) break;
      flush();
      state = 'header';
    }
    if (state === 'header') {
      if (line.startsWith('index ')) {
        oids = indexOids(line);
        continue;
      }
      if (line.startsWith('Binary files') || line.startsWith('GIT binary patch')) {
        ctx.update(oids[0], 'latin1');
        ctx.update(oids[1], 'latin1');
        flush();
        state = 'skip';
        continue;
      }
      if (line.startsWith('--- ')) {
        state = 'hunks';
        before = 1;
        after = 1;
      } else if (/^[A-Za-z]/.test(line)) {
        hash(line);
        continue;
      } else {
        break;
      }
    }
    if (line.startsWith('\\')) continue;
    const c = line[0];
    if (c === '-' || c === ' ' || line === '') before--;
    if (c === '+' || c === ' ' || line === '') after--;
    hash(line);
  }
  if (!seen) return undefined;
  flush();
  return Buffer.from(sum).toString('hex');
}

function hunkCounts(header: string): [number, number] {
  const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(header);
  return [m?.[1] === undefined ? 1 : Number(m[1]), m?.[2] === undefined ? 1 : Number(m[2])];
}

function indexOids(line: string): [string, string] {
  const m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
  return m ? [m[1]!, m[2]!] : ['', ''];
}
