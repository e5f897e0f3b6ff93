/**
 * The generated completion scripts in the shells themselves: bash completes commands, flags and
 * flag values; zsh loads the script and registers it; fish answers `complete -C`. Needs bash,
 * zsh and fish (`.ci/run` installs zsh and fish); a missing shell fails, never skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hotfix-completion-'));
const scripts: Record<string, string> = {};

beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell], { cwd: dir });
    expect(r.code).toBe(0);
    scripts[shell] = join(dir, `hotfix.${shell}`);
    writeFileSync(scripts[shell] ?? '', r.stdout);
  }
});

function bashComplete(words: readonly string[]): string[] {
  const arr = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source ${scripts.bash}; COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _hotfix; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8', cwd: dir },
  );
  return out.split('\n').filter(Boolean);
}

describe('hotfix completion', () => {
  it('completes commands, subcommands, flags and flag values in bash', () => {
    expect(bashComplete(['hotfix', 'pro'])).toEqual(['promote']);
    expect(bashComplete(['hotfix', 'evidence', ''])).toEqual(expect.arrayContaining(['verify', 'sign', 'schema']));
    expect(bashComplete(['hotfix', 'promote', '--dr'])).toEqual(['--dry-run']);
    expect(bashComplete(['hotfix', 'policy', 'check', '--fo'])).toEqual(['--format']);
    expect(bashComplete(['hotfix', 'policy', 'check', '--format', 'j'])).toEqual(['json', 'junit']);
    expect(bashComplete(['hotfix', 'promote', '--events', ''])).toEqual(['ndjson']);
    expect(bashComplete(['hotfix', 'help', 'rol'])).toEqual(['rollback']);
  });

  it('loads in zsh and registers _hotfix for hotfix', () => {
    execFileSync('zsh', ['-n', scripts.zsh ?? ''], { encoding: 'utf8' });
    const out = execFileSync(
      'zsh',
      ['-fc', `autoload -U compinit; compinit -u -D; source ${scripts.zsh}; print -r -- $_comps[hotfix]`],
      {
        encoding: 'utf8',
        cwd: dir,
      },
    );
    expect(out.trim()).toBe('_hotfix');
  });

  it('answers complete -C in fish with commands, flags and flag values', () => {
    execFileSync('fish', ['--no-execute', scripts.fish ?? ''], { encoding: 'utf8' });
    const ask = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C '${line}'`], {
        encoding: 'utf8',
        cwd: dir,
      })
        .split('\n')
        .map((l) => l.split('\t')[0])
        .filter(Boolean);
    expect(ask('hotfix pro')).toEqual(['promote']);
    expect(ask('hotfix promote --dr')).toEqual(['--dry-run']);
    expect(ask('hotfix evidence ')).toEqual(expect.arrayContaining(['verify', 'sign', 'schema']));
    expect(ask('hotfix policy check --format j')).toEqual(expect.arrayContaining(['json', 'junit']));
  });
});
