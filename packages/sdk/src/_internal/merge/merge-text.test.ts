import { describe, expect, it } from 'vitest';
import { mergeText } from './merge-text.js';

const ten = (eol = '\n') => Array.from({ length: 10 }, (_, i) => `line ${i}${eol}`).join('');

describe(mergeText.name, () => {
  it('merges changes to distant lines', () => {
    const r = mergeText(ten(), ten().replace('line 1', 'ours'), ten().replace('line 8', 'theirs'));
    expect(r).toEqual({ clean: true, conflicts: 0, text: ten().replace('line 1', 'ours').replace('line 8', 'theirs') });
  });

  it('conflicts on adjacent lines, with git-style markers', () => {
    const r = mergeText(ten(), ten().replace('line 4', 'ours'), ten().replace('line 5', 'theirs'));
    expect(r.clean).toBe(false);
    expect(r.text).toContain('<<<<<<< ours\nours\nline 5\n=======\nline 4\ntheirs\n>>>>>>> theirs\n');
  });

  it('takes identical changes made on both sides', () => {
    const both = ten().replace('line 3', 'same');
    expect(mergeText(ten(), both, both)).toEqual({ clean: true, conflicts: 0, text: both });
  });

  it('keeps CRLF, latin1 bytes and a missing final newline byte for byte', () => {
    const base = `caf\u00e9\r\n${ten('\r\n')}end`;
    const r = mergeText(base, base.replace('line 1', 'ours'), base.replace('end', 'fin'));
    expect(r).toEqual({ clean: true, conflicts: 0, text: base.replace('line 1', 'ours').replace('end', 'fin') });
  });

  it('ends a conflict side without final newline before the marker', () => {
    const r = mergeText('a\nb', 'a\nours', 'a\ntheirs');
    expect(r.text).toBe('a\n<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n');
  });
});
