/**
 * A minimal packfile writer (pack version 2, whole objects, no deltas), written from git's
 * documented pack format: `PACK`, version, object count, then per object a type-and-size header
 * and the zlib-deflated content, then the SHA-1 of everything before. A pick sends a handful of
 * objects, so deltas would save nothing worth their code.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { GitObject } from './git-objects.js';

const TYPE_CODE = { commit: 1, tree: 2, blob: 3 } as const;

/** Encodes the pack entry header: type in bits 4–6 of the first byte, size in 4 + 7·n bits. */
function entryHeader(type: GitObject['type'], size: number): Buffer {
  const bytes: number[] = [];
  let rest = Math.floor(size / 16);
  let byte = (TYPE_CODE[type] << 4) | (size & 0x0f);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** Writes `objects` as one packfile. */
export function writePack(objects: readonly GitObject[]): Buffer {
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [head];
  for (const o of objects) {
    parts.push(entryHeader(o.type, o.data.byteLength), deflateSync(o.data));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
