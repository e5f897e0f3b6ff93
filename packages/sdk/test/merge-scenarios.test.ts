/**
 * Hand-written hard cases of the local merge engine, each checked against native git
 * (`cherry-pick --no-commit` / `revert --no-commit` + `write-tree`) and against what git's
 * rules say the outcome must be.
 */
import { describe, expect, it } from 'vitest';
import { asNative, runScenario, type Spec } from './support/scenario.js';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');
const ten = (eol = '\n') => Array.from({ length: 10 }, (_, i) => `line ${i + 1}${eol}`).join('');
const edit = (text: string, from: string, to: string) => text.replace(from, to);
const binary = (seed: number) =>
  Buffer.from(Array.from({ length: 64 }, (_, i) => (i === 5 ? 0 : (i * seed + 7) % 256)));

async function expectSameAsGit(base: Spec, ours: Spec, theirs: Spec, merge?: { side: Spec }) {
  const run = await runScenario(base, ours, theirs, merge);
  expect(asNative(run.ours, run.releaseTree)).toEqual(run.native);
  // The revert (of a commit release does not contain) may hit a similarity rename: then it
  // must be a conflict flagged unsupported, never another tree.
  if (run.oursRevert.kind === 'conflict' && run.oursRevert.conflicts.some((c) => c.unsupported)) {
    expect(run.oursRevert.conflicts.every((c) => c.unsupported)).toBe(true);
  } else {
    expect(asNative(run.oursRevert, run.releaseTree)).toEqual(run.nativeRevert);
  }
  return run;
}

describe('local merge engine hard cases (native git as the oracle)', () => {
  it('merges edits to different lines of one file and other files', async () => {
    const run = await expectSameAsGit(
      { 'a.txt': ten(), 'b.txt': 'b\n' },
      { 'a.txt': edit(ten(), 'line 2', 'ours 2'), 'b.txt': 'b\n', 'c.txt': 'new\n' },
      { 'a.txt': edit(ten(), 'line 8', 'theirs 8'), 'b.txt': 'b2\n' },
    );
    expect(run.ours.kind).toBe('clean');
  });

  it('returns a content conflict with markers when both sides change the same line', async () => {
    const run = await expectSameAsGit(
      { 'a.txt': ten() },
      { 'a.txt': edit(ten(), 'line 5', 'ours 5') },
      { 'a.txt': edit(ten(), 'line 5', 'theirs 5') },
    );
    expect(run.ours.kind).toBe('conflict');
    if (run.ours.kind !== 'conflict') return;
    const [c] = run.ours.conflicts;
    expect(c?.reason).toBe('content');
    expect(Buffer.from(c!.merged!).toString()).toContain('<<<<<<< ours\nours 5\n=======\ntheirs 5\n>>>>>>> theirs\n');
    expect(c?.base?.oid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('conflicts on adjacent lines as git does', async () => {
    const run = await expectSameAsGit(
      { 'a.txt': ten() },
      { 'a.txt': edit(ten(), 'line 5', 'ours 5') },
      { 'a.txt': edit(ten(), 'line 6', 'theirs 6') },
    );
    expect(run.ours.kind).toBe('conflict');
  });

  it('conflicts when a binary file changed on both sides, and takes a one-sided binary change', async () => {
    const both = await expectSameAsGit({ 'img.bin': binary(1) }, { 'img.bin': binary(2) }, { 'img.bin': binary(3) });
    expect(both.ours.kind === 'conflict' && both.ours.conflicts[0]?.reason).toBe('binary');
    const one = await expectSameAsGit(
      { 'img.bin': binary(1), a: 'a\n' },
      { 'img.bin': binary(1), a: 'b\n' },
      { 'img.bin': binary(3), a: 'a\n' },
    );
    expect(one.ours.kind).toBe('clean');
  });

  it('merges latin1 text byte for byte', async () => {
    const base = lines('caf\u00e9 1', 'na\u00efve 2', 'x 3', 'y 4', '\u00fcber 5');
    const run = await expectSameAsGit(
      { 'latin.txt': base },
      { 'latin.txt': edit(base, 'caf\u00e9 1', 'caf\u00e9 \u00e9t\u00e9') },
      { 'latin.txt': edit(base, '\u00fcber 5', '\u00fcber \u00e0 5') },
    );
    expect(run.ours.kind).toBe('clean');
  });

  it('conflicts on a file against a directory at the same path', async () => {
    const run = await expectSameAsGit({ a: 'a\n' }, { a: 'a\n', 'g/x': 'x\n' }, { a: 'a\n', g: 'file\n' });
    expect(run.ours.kind === 'conflict' && run.ours.conflicts[0]?.reason).toBe('file-directory');
  });

  it('merges a mode change with a content edit', async () => {
    const run = await expectSameAsGit(
      { 'run.sh': ten() },
      { 'run.sh': { mode: '100755', data: ten() } },
      { 'run.sh': edit(ten(), 'line 3', 'theirs 3') },
    );
    expect(run.ours.kind).toBe('clean');
  });

  it('takes a symlink retarget from one side and conflicts when both retarget it', async () => {
    const link = (to: string) => ({ mode: '120000', data: to });
    const one = await expectSameAsGit(
      { l: link('a'), f: 'f\n' },
      { l: link('a'), f: 'g\n' },
      { l: link('b'), f: 'f\n' },
    );
    expect(one.ours.kind).toBe('clean');
    const both = await expectSameAsGit({ l: link('a') }, { l: link('b') }, { l: link('c') });
    expect(both.ours.kind === 'conflict' && both.ours.conflicts[0]?.reason).toBe('symlink');
  });

  it('takes a submodule bump from one side and conflicts when both bump it differently', async () => {
    const sub = (c: string) => ({ mode: '160000', data: c.repeat(40) });
    const one = await expectSameAsGit(
      { mod: sub('1'), f: 'f\n' },
      { mod: sub('1'), f: 'g\n' },
      { mod: sub('2'), f: 'f\n' },
    );
    expect(one.ours.kind).toBe('clean');
    const both = await expectSameAsGit({ mod: sub('1') }, { mod: sub('2') }, { mod: sub('3') });
    expect(both.ours.kind === 'conflict' && both.ours.conflicts[0]?.reason).toBe('submodule');
  });

  it('conflicts on modify/delete and keeps a file release added in a directory the pick deletes', async () => {
    const md = await expectSameAsGit({ 'a.txt': ten() }, {}, { 'a.txt': edit(ten(), 'line 1', 'x') });
    expect(md.ours.kind === 'conflict' && md.ours.conflicts[0]?.reason).toBe('modify-delete');
    const dir = await expectSameAsGit(
      { 'd/a': 'a\n', 'd/b': 'b\n', keep: 'k\n' },
      { 'd/a': 'a\n', 'd/b': 'b\n', 'd/new': 'n\n', keep: 'k\n' },
      { keep: 'k\n' },
    );
    expect(dir.ours.kind).toBe('clean');
  });

  it('follows exact renames on either side', async () => {
    const base = { 'old.txt': ten(), z: 'z\n' };
    const pickRenames = await expectSameAsGit(
      base,
      { 'old.txt': edit(ten(), 'line 2', 'ours'), z: 'z\n' },
      { 'new.txt': ten(), z: 'z\n' },
    );
    expect(pickRenames.ours.kind).toBe('clean');
    const releaseRenames = await expectSameAsGit(
      base,
      { 'new.txt': ten(), z: 'z\n' },
      { 'old.txt': edit(ten(), 'line 9', 'theirs'), z: 'z\n' },
    );
    expect(releaseRenames.ours.kind).toBe('clean');
  });

  it('preserves CRLF line endings and a missing final newline', async () => {
    const crlf = ten('\r\n');
    const run = await expectSameAsGit(
      { 'w.txt': crlf, 'n.txt': 'a\nb\nc\nd\ne' },
      { 'w.txt': edit(crlf, 'line 1', 'ours 1'), 'n.txt': 'a2\nb\nc\nd\ne' },
      { 'w.txt': edit(crlf, 'line 9', 'theirs 9'), 'n.txt': 'a\nb\nc\nd\ne2' },
    );
    expect(run.ours.kind).toBe('clean');
  });

  it('treats identical adds as clean and different adds as add/add conflicts', async () => {
    const same = await expectSameAsGit({ a: 'a\n' }, { a: 'a\n', n: 'same\n' }, { a: 'b\n', n: 'same\n' });
    expect(same.ours.kind).toBe('clean');
    const diff = await expectSameAsGit({ a: 'a\n' }, { a: 'a\n', n: 'ours\n' }, { a: 'a\n', n: 'theirs\n' });
    expect(diff.ours.kind === 'conflict' && diff.ours.conflicts[0]?.reason).toBe('add-add');
    const merged = diff.ours.kind === 'conflict' ? diff.ours.conflicts[0]?.merged : undefined;
    expect(Buffer.from(merged ?? []).toString()).toBe('<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n');
  });

  it('picks a merge commit against its mainline parent', async () => {
    const run = await expectSameAsGit(
      { 'a.txt': ten(), 'b.txt': 'b\n' },
      { 'a.txt': edit(ten(), 'line 1', 'release 1'), 'b.txt': 'b\n' },
      { 'a.txt': edit(ten(), 'line 10', 'side 10'), 'b.txt': 'b\n' },
      { side: { 'a.txt': edit(ten(), 'line 10', 'side 10'), 'b.txt': 'b\n' } },
    );
    expect(run.ours.kind).toBe('clean');
  });

  it('follows a clear-cut similarity rename (rename with edits) on either side', async () => {
    const base = { 'old.txt': ten(), z: 'z\n' };
    const pick = await expectSameAsGit(
      base,
      { 'old.txt': edit(ten(), 'line 2', 'ours 2'), z: 'z\n' },
      { 'new.txt': edit(ten(), 'line 9', 'theirs 9'), z: 'z\n' },
    );
    expect(pick.ours.kind).toBe('clean');
    const release = await expectSameAsGit(
      base,
      { 'new.txt': edit(ten(), 'line 2', 'ours 2'), z: 'z\n' },
      { 'old.txt': edit(ten(), 'line 9', 'theirs 9'), z: 'z\n' },
    );
    expect(release.ours.kind).toBe('clean');
  });

  it('reports a borderline similarity rename as an unsupported conflict, never a wrong tree', async () => {
    const half = ten()
      .replace('line 1\n', 'a\n')
      .replace('line 3\n', 'b\n')
      .replace('line 5\n', 'c\n')
      .replace('line 7\n', 'd\n');
    const run = await runScenario(
      { 'old.txt': ten() },
      { 'old.txt': edit(ten(), 'line 2', 'ours 2') },
      { 'new.txt': half },
    );
    expect(run.ours.kind).toBe('conflict');
    if (run.ours.kind === 'conflict') expect(run.ours.conflicts.every((c) => c.unsupported)).toBe(true);
  });

  it('does not text-merge a path under .gitattributes (merge drivers, eol): unsupported conflict', async () => {
    const attrs = { '.gitattributes': '*.txt merge=union\n' };
    const run = await runScenario(
      { ...attrs, 'a.txt': ten() },
      { ...attrs, 'a.txt': edit(ten(), 'line 5', 'ours 5') },
      { ...attrs, 'a.txt': edit(ten(), 'line 5', 'theirs 5') },
    );
    expect(run.native.kind).toBe('clean');
    expect(run.ours.kind === 'conflict' && run.ours.conflicts.map((c) => [c.reason, c.unsupported])).toEqual([
      ['attributes', true],
    ]);
  });
});
