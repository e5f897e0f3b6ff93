/**
 * `hotfix completion bash|zsh|fish`: a completion script generated from the command table, so a
 * new command or flag completes without anyone editing a script by hand.
 */
import { COMMON_OPTIONS, type OptionSpec, type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { usageProblem } from '../problem.js';
import type { Command, CommandEntry } from '../types.js';

/** One command as completion sees it: its words, summary and every flag it takes. */
export interface CompletionCommand {
  readonly words: readonly string[];
  readonly summary: string;
  readonly options: OptionTable;
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const flags: OptionTable = {};

/** The command table with every command's flags (common ones included); loads every command. */
export async function completionTable(
  commands: Readonly<Record<string, CommandEntry>>,
  self: Command,
): Promise<CompletionCommand[]> {
  const out: CompletionCommand[] = [];
  for (const [key, entry] of Object.entries(commands)) {
    const command = key === 'completion' ? self : await entry.load();
    out.push({ words: key.split(' '), summary: entry.summary, options: { ...COMMON_OPTIONS, ...command.options } });
  }
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const valued = (o: OptionTable) => Object.keys(o).filter((k) => o[k]?.type === 'string');

/** Bash: `source <(hotfix completion bash)`. */
export function bashScript(table: readonly CompletionCommand[]): string {
  const top = [...new Set(table.map((c) => c.words[0]))].join(' ');
  const groups = [...new Set(table.filter((c) => c.words.length > 1).map((c) => c.words[0]))];
  const subs = groups
    .map(
      (g) =>
        `    ${g}) sub=1; subs=${q(
          table
            .filter((c) => c.words[0] === g)
            .map((c) => c.words[1])
            .join(' '),
        )} ;;`,
    )
    .join('\n');
  const cases = table
    .map(
      (c) =>
        `    ${q(c.words.join(' '))}) opts=${q(
          Object.keys(c.options)
            .map((k) => `--${k}`)
            .join(' '),
        )}; valued=${q(
          valued(c.options)
            .map((k) => `--${k}`)
            .join(' '),
        )} ;;`,
    )
    .join('\n');
  const choices = choiceCases(
    table,
    (flag, values) => `    ${q(`--${flag}`)}) COMPREPLY=($(compgen -W ${q(values.join(' '))} -- "$cur")); return ;;`,
  );
  return `# bash completion for hotfix. Load it with: source <(hotfix completion bash)
_hotfix() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}" sub=0 subs="" key opts="" valued=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${q(`${top} help --help --version`)} -- "$cur")); return
  fi
  case "$cmd" in
${subs}
    help) COMPREPLY=($(compgen -W ${q(top)} -- "$cur")); return ;;
  esac
  if [[ $sub -eq 1 && $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); return; fi
  key="$cmd"; [[ $sub -eq 1 ]] && key="$cmd \${COMP_WORDS[2]}"
  case "$key" in
${cases}
  esac
  case "$prev" in
${choices}
  esac
  if [[ " $valued " == *" $prev "* ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _hotfix hotfix
`;
}

function choiceCases(
  table: readonly CompletionCommand[],
  line: (flag: string, values: readonly string[]) => string,
): string {
  const seen = new Map<string, readonly string[]>();
  for (const c of table) for (const [k, v] of Object.entries(c.options)) if (v?.choices) seen.set(k, v.choices);
  return [...seen].map(([k, v]) => line(k, v)).join('\n');
}

const zq = (s: string) => s.replace(/[[\]:\\']/g, (m) => `\\${m}`);

function zshSpec(name: string, spec: OptionSpec): string {
  const repeat = spec.multiple ? '*' : '';
  if (spec.type === 'boolean') return `'${repeat}--${name}'`;
  const action = spec.choices ? `(${spec.choices.join(' ')})` : '_files';
  return `'${repeat}--${name}=[${zq(name)}]:${zq(name)}:${action}'`;
}

/** Zsh: put it on `$fpath` as `_hotfix`, or `source <(hotfix completion zsh)` after compinit. */
export function zshScript(table: readonly CompletionCommand[]): string {
  const tops = [...new Map(table.map((c) => [c.words[0], c.words.length > 1 ? `${c.words[0]} commands` : c.summary]))];
  const describe = (items: readonly (readonly [string | undefined, string])[]) =>
    items.map(([w, s]) => `'${zq(w ?? '')}:${zq(s)}'`).join(' ');
  const groups = [...new Set(table.filter((c) => c.words.length > 1).map((c) => c.words[0]))];
  const groupCases = groups
    .map((g) => {
      const subs = table.filter((c) => c.words[0] === g).map((c) => [c.words[1], c.summary] as const);
      return `    ${g}) if (( CURRENT == 3 )); then local -a subs; subs=(${describe(subs)}); _describe 'subcommand' subs; return; fi; key="${g} $words[3]"; shift 1 words; (( CURRENT-- )) ;;`;
    })
    .join('\n');
  const cases = table
    .map(
      (c) =>
        `    ${q(c.words.join(' '))}) _arguments ${Object.entries(c.options)
          .map(([k, v]) => zshSpec(k, v))
          .join(' ')} '*:file:_files' ;;`,
    )
    .join('\n');
  return `#compdef hotfix
# zsh completion for hotfix. Put this file on $fpath as _hotfix, or: source <(hotfix completion zsh)
_hotfix() {
  local key
  if (( CURRENT == 2 )); then
    local -a commands; commands=(${describe(tops)} 'help:Show one command'"'"'s help')
    _describe 'command' commands; return
  fi
  key="$words[2]"
  case "$key" in
${groupCases}
    help) local -a commands; commands=(${describe(tops)}); _describe 'command' commands; return ;;
  esac
  shift 1 words; (( CURRENT-- ))
  case "$key" in
${cases}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _hotfix "$@"; else compdef _hotfix hotfix; fi
`;
}

/** Fish: `hotfix completion fish > ~/.config/fish/completions/hotfix.fish`. */
export function fishScript(table: readonly CompletionCommand[]): string {
  const lines = [
    '# fish completion for hotfix: hotfix completion fish > ~/.config/fish/completions/hotfix.fish',
    'complete -c hotfix -f',
  ];
  const tops = [
    ...new Map(table.map((c) => [c.words[0] ?? '', c.words.length > 1 ? `${c.words[0]} commands` : c.summary])),
  ];
  const all = tops.map(([w]) => w).join(' ');
  for (const [w, s] of tops)
    lines.push(`complete -c hotfix -n 'not __fish_seen_subcommand_from ${all} help' -a ${q(w)} -d ${q(s)}`);
  lines.push(
    `complete -c hotfix -n 'not __fish_seen_subcommand_from ${all} help' -a help -d 'Show one command'"'"'s help'`,
  );
  lines.push(`complete -c hotfix -n '__fish_seen_subcommand_from help' -a ${q(all)}`);
  for (const c of table) {
    const [first = '', second] = c.words;
    const when = second
      ? `__fish_seen_subcommand_from ${first}; and __fish_seen_subcommand_from ${second}`
      : `__fish_seen_subcommand_from ${first}`;
    if (second)
      lines.push(
        `complete -c hotfix -n '__fish_seen_subcommand_from ${first}; and not __fish_seen_subcommand_from ${table
          .filter((x) => x.words[0] === first)
          .map((x) => x.words[1])
          .join(' ')}' -a ${q(second)} -d ${q(c.summary)}`,
      );
    for (const [k, v] of Object.entries(c.options)) {
      const value = v.type === 'string' ? (v.choices ? ` -x -a ${q(v.choices.join(' '))}` : ' -r -F') : '';
      lines.push(`complete -c hotfix -n ${q(when)} -l ${k}${v.short ? ` -s ${v.short}` : ''}${value}`);
    }
    if (Object.values(c.options).length > 0) lines.push(`complete -c hotfix -n ${q(when)} -F`);
  }
  return `${lines.join('\n')}\n`;
}

/** `hotfix completion <shell>` over the given command table (passed in, so this module never imports it). */
export function completionCommandFor(commands: Readonly<Record<string, CommandEntry>>): Command {
  const command: Command = {
    help: `Usage: hotfix completion bash|zsh|fish

Print a completion script for the shell, generated from the command table (every command,
subcommand and flag; values for flags with a fixed set such as --format and --events).

Example:
  hotfix completion bash > /etc/bash_completion.d/hotfix
  source <(hotfix completion zsh)
  hotfix completion fish > ~/.config/fish/completions/hotfix.fish
`,
    options: flags,
    async run(ctx, argv) {
      const p = parseCommand(argv, flags);
      const shell = p.positionals[0] as Shell | undefined;
      if (p.positionals.length !== 1 || !shell || !SHELLS.includes(shell))
        return ctx.io.fail(usageProblem(`name one shell: ${SHELLS.join(', ')}`));
      const table = await completionTable(commands, command);
      const script = shell === 'bash' ? bashScript(table) : shell === 'zsh' ? zshScript(table) : fishScript(table);
      ctx.io.raw(script);
      return EXIT_CODES.ok;
    },
  };
  return command;
}
