/**
 * `bootctl-ts completion bash|zsh|fish`: shell completion scripts made from the verb
 * declarations (the ones help.ts and manpage.ts read), so that a verb or option declared is a
 * verb or option completed. Loaded only when a script is asked for.
 *
 * What completes: verbs; global options everywhere and a verb's own options after it; the
 * values of options that have a fixed set (`--json=`, `--loader`, `--mode`, `--platform`) or
 * name a directory or file; the first argument of verbs with actions (`grub`, `efi`, `grubenv`,
 * `bless-boot`, `help`, `completion`); files elsewhere.
 */
import type { CAC, Command } from "cac";
import { UsageError } from "../errors.ts";
import { optionSpecs, type OptionSpec } from "./argv.ts";
import { visibleCommands } from "./help.ts";
import { ACTIONS as EFI_ACTIONS } from "./commands/efi/efi.ts";
import { ACTIONS as GRUB_ACTIONS } from "./commands/grub/grub.ts";
import { GRUBENV_COMMANDS } from "./commands/grubenv/grubenv.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** What an option's value completes to: fixed words, directories, files, or nothing. */
export type ValueKind = { words: string[] } | "directory" | "file" | "none";

export function valueKind(command: Command | undefined, spec: OptionSpec): ValueKind {
  if (spec.value === "none") return "none";
  const verb = command?.name;
  switch (spec.key) {
    case "json": return { words: ["pretty", "short", "off"] };
    case "mode": return { words: ["admin", "vendor"] };
    case "platform": return { words: ["efi", "pc", "emu"] };
    case "loader": return verb === "efi" ? "none" : { words: ["systemd-boot", "grub"] };
  }
  if (spec.placeholder === "dir") return "directory";
  if (spec.placeholder === "file" || spec.placeholder === "image" || spec.placeholder === "path") return "file";
  return "none";
}

/** The words a verb's first argument completes to (besides files, for `grubenv`'s FILE). */
export function firstArgumentWords(cli: CAC, command: Command): string[] {
  switch (command.name) {
    case "grub": return [...GRUB_ACTIONS];
    case "efi": return Object.keys(EFI_ACTIONS);
    case "grubenv": return [...GRUBENV_COMMANDS];
    case "help": return visibleCommands(cli).map((c) => c.name);
    case "completion": return [...SHELLS];
  }
  // `bless-boot [status|good|bad|indeterminate]`: the alternatives of the usage line.
  const usage = (command as unknown as { usageText?: string }).usageText ?? "";
  const m = new RegExp(`^${command.name} \\[([a-z-]+(?:\\|[a-z-]+)+)\\]`).exec(usage);
  return m ? m[1]!.split("|") : [];
}

/**
 * Which of a verb's arguments are file names: all (`add`'s KERNEL and INITRDs, `grubenv`'s FILE),
 * those after the action (`grub check FILE`), or none.
 */
function fileArguments(command: Command): "all" | "after-first" | "none" {
  if (command.name === "add" || command.name === "grubenv") return "all";
  return command.name === "grub" ? "after-first" : "none";
}

function fileCode(command: Command): number {
  return { all: 2, "after-first": 1, none: 0 }[fileArguments(command)];
}

function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function longFlags(spec: OptionSpec): string[] {
  return spec.flags.map((f) => (spec.value === "optional" ? `${f}=` : f));
}

function bash(cli: CAC): string {
  const commands = visibleCommands(cli);
  const globals = optionSpecs(cli.globalCommand);
  const all = [globals, ...commands.map(optionSpecs)].flat();
  const valueFlags = [...new Set(all.filter((s) => s.value === "required").flatMap((s) => s.flags))];
  const valueArm = (pattern: string, kind: ValueKind): string | undefined => {
    if (kind === "none") return `        ${pattern}) return ;;`;
    if (kind === "directory") return `        ${pattern}) COMPREPLY=($(compgen -d -- "$cur")) ;;`;
    if (kind === "file") return `        ${pattern}) COMPREPLY=($(compgen -f -- "$cur")) ;;`;
    return `        ${pattern}) COMPREPLY=($(compgen -W ${sq(kind.words.join(" "))} -- "$cur")) ;;`;
  };
  const valueArms: string[] = [];
  for (const command of commands) {
    for (const spec of optionSpecs(command)) {
      if (spec.value !== "none") valueArms.push(valueArm(spec.flags.map((f) => `${command.name}:${f}`).join("|"), valueKind(command, spec))!);
    }
  }
  for (const spec of globals) if (spec.value !== "none") valueArms.push(valueArm(spec.flags.map((f) => `*:${f}`).join("|"), valueKind(undefined, spec))!);
  const optionArms = commands.map((c) => `        ${c.name}) opts=${sq(optionSpecs(c).flatMap(longFlags).join(" "))} ;;`);
  const wordArms = commands.map((c) => `        ${c.name}) words=${sq(firstArgumentWords(cli, c).join(" "))}; files=${fileCode(c)} ;;`);
  return `# bash completion for bootctl-ts; made by 'bootctl-ts completion bash' from its verb declarations.
_bootctl_ts() {
    local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
    local verbs=${sq(commands.map((c) => c.name).join(" "))}
    local global_opts=${sq(globals.flatMap(longFlags).join(" "))}
    local value_opts=${sq(valueFlags.join(" "))}
    local verb="" verb_at=0 i w skip=0
    COMPREPLY=()
    # The verb: the first word that is neither an option nor an option's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=\${COMP_WORDS[i]}
        if ((skip)); then skip=0; continue; fi
        case $w in
            --) break ;;
            =) skip=1 ;;
            -*) [[ " $value_opts " == *" $w "* && \${COMP_WORDS[i+1]} != "=" ]] && skip=1 ;;
            *) verb=$w; verb_at=$i; break ;;
        esac
    done
    # An option's value: '--opt VALUE' or '--opt=VALUE' (bash splits the latter at '=').
    local opt=""
    if [[ $cur == "=" ]]; then opt=$prev; cur=""
    elif [[ $prev == "=" ]]; then opt=\${COMP_WORDS[COMP_CWORD-2]}
    elif [[ " $value_opts " == *" $prev "* ]]; then opt=$prev
    fi
    if [[ -n $opt ]]; then
        case "$verb:$opt" in
${valueArms.join("\n")}
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        local opts=""
        case $verb in
${optionArms.join("\n")}
        esac
        COMPREPLY=($(compgen -W "$global_opts $opts" -- "$cur"))
        [[ \${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    if [[ -z $verb ]]; then
        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
        return
    fi
    # files: 2 every argument is a file name, 1 those after the first, 0 none.
    local words="" files=0 first=1
    for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
        [[ \${COMP_WORDS[i]} != -* && \${COMP_WORDS[i]} != "=" && \${COMP_WORDS[i-1]} != "=" ]] && first=0
    done
    case $verb in
${wordArms.join("\n")}
    esac
    if ((first)) && [[ -n $words ]]; then COMPREPLY=($(compgen -W "$words" -- "$cur")); fi
    if ((files == 2 || (files == 1 && !first))); then COMPREPLY+=($(compgen -f -- "$cur")); fi
}
complete -F _bootctl_ts bootctl-ts
`;
}

function zshDescribe(text: string): string {
  return text.replace(/[\\:]/g, "\\$&");
}

function zsh(cli: CAC): string {
  const commands = visibleCommands(cli);
  const globals = optionSpecs(cli.globalCommand);
  const all = [globals, ...commands.map(optionSpecs)].flat();
  const valueFlags = [...new Set(all.filter((s) => s.value === "required").flatMap((s) => s.flags))];
  const valueArm = (pattern: string, kind: ValueKind): string => {
    if (kind === "none") return `      ${pattern}) return ;;`;
    if (kind === "directory") return `      ${pattern}) _files -/; return ;;`;
    if (kind === "file") return `      ${pattern}) _files; return ;;`;
    return `      ${pattern}) compadd -- ${kind.words.join(" ")}; return ;;`;
  };
  const valueArms: string[] = [];
  for (const command of commands) {
    for (const spec of optionSpecs(command)) {
      if (spec.value !== "none") valueArms.push(valueArm(spec.flags.map((f) => `${command.name}:${f}`).join("|"), valueKind(command, spec)));
    }
  }
  for (const spec of globals) if (spec.value !== "none") valueArms.push(valueArm(spec.flags.map((f) => `*:${f}`).join("|"), valueKind(undefined, spec)));
  const optionArms = commands.map((c) => `      ${c.name}) opts=(${optionSpecs(c).flatMap(longFlags).join(" ")}) ;;`);
  const wordArms = commands.map((c) => `      ${c.name}) choices=(${firstArgumentWords(cli, c).join(" ")}); files=${fileCode(c)} ;;`);
  return `#compdef bootctl-ts
# zsh completion for bootctl-ts; made by 'bootctl-ts completion zsh' from its verb declarations.
_bootctl_ts() {
  local -a verbs global_opts value_opts opts choices
  verbs=(
${commands.map((c) => `    ${sq(`${c.name}:${zshDescribe(c.description)}`)}`).join("\n")}
  )
  global_opts=(${globals.flatMap(longFlags).join(" ")})
  value_opts=(${valueFlags.join(" ")})
  local verb="" verb_at=0 i w skip=0 files=0 first=1 opt=""
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if ((skip)); then skip=0; continue; fi
    case $w in
      --) break ;;
      --*=*) ;;
      -*) (( \${value_opts[(Ie)$w]} )) && skip=1 ;;
      *) verb=$w; verb_at=$i; break ;;
    esac
  done
  if [[ $PREFIX == --*=* ]]; then opt=\${PREFIX%%=*}; compset -P '*='
  elif (( \${value_opts[(Ie)\${words[CURRENT-1]}]} )); then opt=\${words[CURRENT-1]}
  fi
  if [[ -n $opt ]]; then
    case "$verb:$opt" in
${valueArms.join("\n")}
    esac
    return
  fi
  if [[ $PREFIX == -* ]]; then
    opts=()
    case $verb in
${optionArms.join("\n")}
    esac
    compadd -S '' -- \${(M)global_opts:#*=} \${(M)opts:#*=}
    compadd -- \${global_opts:#*=} \${opts:#*=}
    return
  fi
  if [[ -z $verb ]]; then
    _describe -t verbs 'bootctl-ts verb' verbs
    return
  fi
  for ((i = verb_at + 1; i < CURRENT; i++)); do
    [[ \${words[i]} != -* ]] && first=0
  done
  choices=()
  case $verb in
${wordArms.join("\n")}
  esac
  (( first && \${#choices} )) && compadd -- $choices
  (( files == 2 || (files == 1 && ! first) )) && _files
}
_bootctl_ts "$@"
`;
}

function fish(cli: CAC): string {
  const commands = visibleCommands(cli);
  const all = [optionSpecs(cli.globalCommand), ...commands.map(optionSpecs)].flat();
  const valueFlags = [...new Set(all.filter((s) => s.value === "required").flatMap((s) => s.flags))];
  const lines = [
    "# fish completion for bootctl-ts; made by 'bootctl-ts completion fish' from its verb declarations.",
    "# __bootctl_ts_args: the words after the verb so far (status 1 when there is no verb yet);",
    "# options and their values are skipped, as bootctl-ts reads them (a value option takes the next word).",
    "function __bootctl_ts_args",
    `    set -l value_opts ${valueFlags.join(" ")}`,
    "    set -l tokens (commandline -opc)",
    "    set -e tokens[1]",
    "    set -l skip 0",
    "    set -l verb",
    "    for t in $tokens",
    "        if test $skip = 1",
    "            set skip 0",
    "            continue",
    "        end",
    "        if test -z \"$verb\"",
    "            switch $t",
    "                case '--'",
    "                    return 1",
    "                case '--*=*'",
    "                case '-*'",
    "                    contains -- $t $value_opts; and set skip 1",
    "                case '*'",
    "                    set verb $t",
    "                    echo $t",
    "            end",
    "        else if not string match -q -- '-*' $t",
    "            echo $t",
    "        end",
    "    end",
    "    test -n \"$verb\"",
    "end",
    "function __bootctl_ts_verb_is",
    "    set -l words (__bootctl_ts_args); or return 1",
    "    test \"$words[1]\" = $argv[1]",
    "end",
    "function __bootctl_ts_first_argument_of",
    "    set -l words (__bootctl_ts_args); or return 1",
    "    test \"$words[1]\" = $argv[1]; and test (count $words) -eq 1",
    "end",
    "complete -c bootctl-ts -f",
  ];
  const optionLine = (condition: string | undefined, command: Command | undefined, spec: OptionSpec): string => {
    const parts = ["complete -c bootctl-ts"];
    if (condition) parts.push(`-n ${sq(condition)}`);
    for (const flag of spec.flags) parts.push(flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
    const kind = valueKind(command, spec);
    if (spec.value === "required") {
      if (kind === "file") parts.push("-r -F");
      else if (kind === "directory") parts.push("-x -a '(__fish_complete_directories)'");
      else if (kind === "none") parts.push("-x");
      else parts.push(`-x -a ${sq(kind.words.join(" "))}`);
    }
    parts.push(`-d ${sq(spec.description)}`);
    return parts.join(" ");
  };
  for (const c of commands) lines.push(`complete -c bootctl-ts -n 'not __bootctl_ts_args >/dev/null' -a ${c.name} -d ${sq(c.description)}`);
  for (const spec of optionSpecs(cli.globalCommand)) lines.push(optionLine(undefined, undefined, spec));
  for (const c of commands) {
    for (const spec of optionSpecs(c)) lines.push(optionLine(`__bootctl_ts_verb_is ${c.name}`, c, spec));
    const words = firstArgumentWords(cli, c);
    if (words.length > 0) lines.push(`complete -c bootctl-ts -n ${sq(`__bootctl_ts_first_argument_of ${c.name}`)} -a ${sq(words.join(" "))}`);
    const files = fileArguments(c);
    if (files === "all") lines.push(`complete -c bootctl-ts -n ${sq(`__bootctl_ts_verb_is ${c.name}`)} -F`);
    if (files === "after-first") lines.push(`complete -c bootctl-ts -n ${sq(`__bootctl_ts_verb_is ${c.name}; and not __bootctl_ts_first_argument_of ${c.name}`)} -F`);
  }
  return lines.join("\n") + "\n";
}

export function completionScript(cli: CAC, shell: string): string {
  switch (shell) {
    case "bash": return bash(cli);
    case "zsh": return zsh(cli);
    case "fish": return fish(cli);
    default: throw new UsageError(`completion: unknown shell '${shell}' (expected ${SHELLS.join(", ")})`);
  }
}
