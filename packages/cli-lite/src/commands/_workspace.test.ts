import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConflictToResolve } from '@hotfix-release/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sdk } from '../gitlab.js';
import { ProblemError } from '../problem.js';
import { createWorkspace, readWorkspaceNote, WORKSPACE_NOTE, workspaceSession } from './_workspace.js';

let dir: string;
let sdk: Sdk;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-ws-'));
  sdk = await import('@hotfix-release/sdk');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const journalFor = (e: string) => `${e.replace(/\.json$/, '')}.journal.json`;
const conflict = (path: string): ConflictToResolve => ({
  path,
  reason: 'content',
  base: undefined,
  ours: undefined,
  theirs: undefined,
  merged: Buffer.from('<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n'),
  binary: false,
  unsupported: false,
});
const pick = (project: string) => ({ project, branch: 'release', original: 'a'.repeat(40) });

async function fresh(name: string) {
  const ws = join(dir, name);
  const evidence = join(ws, 'evidence.json');
  await createWorkspace(sdk, ws, { evidence, journal: journalFor(evidence) });
  return { ws, note: await readWorkspaceNote(ws, undefined, journalFor) };
}

describe(workspaceSession.name, () => {
  it("keeps targets apart: one target's edit never answers another target's conflict on the same path", async () => {
    const { ws, note } = await fresh('two-targets');
    const first = workspaceSession(sdk, ws, note, []);
    expect(await first.resolver(conflict('src/a.ts'), pick('g/one'))).toBeNull();
    expect(await first.resolver(conflict('src/a.ts'), pick('g/two'))).toBeNull();
    expect(first.edit).toEqual(['g+one/src/a.ts', 'g+two/src/a.ts']);
    await writeFile(join(ws, 'g+one/src/a.ts'), 'resolved\n');
    const again = workspaceSession(sdk, ws, await readWorkspaceNote(ws, undefined, journalFor), []);
    expect(Buffer.from((await again.resolver(conflict('src/a.ts'), pick('g/one'))) as Uint8Array).toString()).toBe(
      'resolved\n',
    );
    expect(await again.resolver(conflict('src/a.ts'), pick('g/two'))).toBeNull();
  });

  it('takes an untouched file only when the operator names it, and refuses a symlink on the way', async () => {
    const { ws, note } = await fresh('untouched');
    const c = { ...conflict('x.txt'), merged: Buffer.from('no markers, as written\n') };
    expect(await workspaceSession(sdk, ws, note, []).resolver(c, pick('g/p'))).toBeNull();
    const noted = await readWorkspaceNote(ws, undefined, journalFor);
    expect(await workspaceSession(sdk, ws, noted, []).resolver(c, pick('g/p'))).toBeNull();
    const accepted = await workspaceSession(sdk, ws, noted, ['g+p/x.txt']).resolver(c, pick('g/p'));
    expect(Buffer.from(accepted as Uint8Array).toString()).toBe('no markers, as written\n');
    const outside = join(dir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'y.txt'), 'from outside\n');
    await symlink(outside, join(ws, 'g+p/linked'));
    await expect(
      workspaceSession(sdk, ws, noted, []).resolver(conflict('linked/y.txt'), pick('g/p')),
    ).rejects.toMatchObject({ reason: 'symlink' });
    expect(await readFile(join(outside, 'y.txt'), 'utf8')).toBe('from outside\n');
  });
});

describe(readWorkspaceNote.name, () => {
  it('refuses a note with an unknown field (a push URL) or a changed digest, and an unconfirmed outside path', async () => {
    const { ws } = await fresh('note');
    const text = await readFile(join(ws, WORKSPACE_NOTE), 'utf8');
    const refused = async () => {
      try {
        await readWorkspaceNote(ws, undefined, journalFor);
      } catch (e) {
        return (e as ProblemError).problem.exitCode;
      }
      return 0;
    };
    const note = JSON.parse(text) as Record<string, unknown>;
    await writeFile(join(ws, WORKSPACE_NOTE), JSON.stringify({ ...note, gitUrl: 'https://evil.example/x.git' }));
    expect(await refused()).toBe(3);
    await writeFile(join(ws, WORKSPACE_NOTE), JSON.stringify({ ...note, written: { 'x.txt': '0'.repeat(64) } }));
    expect(await refused()).toBe(3);
    const outsideWs = join(dir, 'note-outside');
    const evidence = join(dir, 'evidence.json');
    await createWorkspace(sdk, outsideWs, { evidence, journal: journalFor(evidence) });
    await expect(readWorkspaceNote(outsideWs, undefined, journalFor)).rejects.toBeInstanceOf(ProblemError);
    expect((await readWorkspaceNote(outsideWs, evidence, journalFor)).evidence).toBe(evidence);
  });
});
