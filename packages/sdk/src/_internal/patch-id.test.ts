import { describe, expect, it } from 'vitest';
import { patchId } from './patch-id.js';

// Expected ids below were produced by `git patch-id --stable` (git 2.39) on the same text.
const text = 'diff --git a/t b/t\nindex 1111111..2222222 100644\n--- a/t\n+++ b/t\n@@ -1 +1 @@\n-x\n+y\n';
const bin = 'diff --git a/b b/b\nnew file mode 100644\nindex 0000000..bdc955b\nBinary files /dev/null and b/b differ\n';
const rename = 'diff --git a/r b/s\nsimilarity index 100%\nrename from r\nrename to s\n';

describe(patchId.name, () => {
  it('hashes a text patch without whitespace, index lines or hunk headers', () => {
    expect(patchId(text)).toBe('000888a8be54e1a492da0fd8999d103716037e3d');
    expect(patchId(text.replace('+y', '+ y \t').replace('@@ -1 +1 @@', '@@ -7 +7 @@'))).toBe(patchId(text));
  });

  it("reproduces git's binary-file quirks", () => {
    expect(patchId(bin)).toBe('75677d390613ec2af63e5e6aeefe9675bfc7331e');
    expect(patchId(bin + text)).toBe('f3e89d1015b5b1f98807e4dada2f2bc5509d6d05');
    expect(patchId(text + bin)).toBe('756f05e2c467cdcf88196e42889ca7acd5cab15b');
  });

  it('hashes a header-only patch together with the next file', () => {
    expect(patchId(rename + bin)).toBe('c321b729d4cb643ff2c651a24bd8ef6e1ec1af59');
    expect(patchId(bin + rename)).toBe('c70107659d0cafdcd291b868adbdaf0f004db0b4');
  });

  it('ignores the commit header and returns undefined without a diff', () => {
    expect(patchId(`commit abc\nAuthor: x\n\n    msg\n\n${text}`)).toBe(patchId(text));
    expect(patchId('just words\n')).toBeUndefined();
  });
});
