import { describe, expect, it } from 'vitest';
import { diffLines, splitLines } from './line-diff.js';

const apply = (a: string[], b: string[]) => {
  const out: string[] = [];
  let pos = 0;
  for (const h of diffLines(a, b)) {
    out.push(...a.slice(pos, h.aStart), ...b.slice(h.bStart, h.bEnd));
    pos = h.aEnd;
  }
  return [...out, ...a.slice(pos)];
};

describe(splitLines.name, () => {
  it('keeps terminators, CRLF and a last line without newline', () => {
    expect(splitLines('a\r\nb\nc')).toEqual(['a\r\n', 'b\n', 'c']);
    expect(splitLines('')).toEqual([]);
  });
});

describe(diffLines.name, () => {
  it('returns hunks that turn a into b', () => {
    const a = ['a\n', 'b\n', 'c\n', 'd\n'];
    const b = ['a\n', 'x\n', 'c\n', 'd\n', 'e\n'];
    expect(diffLines(a, b)).toEqual([
      { aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 },
      { aStart: 4, aEnd: 4, bStart: 4, bEnd: 5 },
    ]);
    expect(apply(a, b)).toEqual(b);
  });

  it('slides an insertion into a run of equal lines down, as git does', () => {
    expect(diffLines(['x\n', '}\n', 'y\n'], ['x\n', '}\n', '}\n', 'y\n'])).toEqual([
      { aStart: 2, aEnd: 2, bStart: 2, bEnd: 3 },
    ]);
  });

  it('reproduces b for random inputs', () => {
    let seed = 1;
    const r = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 300; i++) {
      const gen = () => Array.from({ length: Math.floor(r() * 20) }, () => `${Math.floor(r() * 5)}\n`);
      const [a, b] = [gen(), gen()];
      expect(apply(a, b)).toEqual(b);
    }
  });
});
