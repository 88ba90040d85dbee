/**
 * Random GRUB scripts and mutated fixtures for property and differential tests. Generated scripts
 * follow the grammar (so most are valid); mutations break them at random places (so many are not).
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/grubcfg/", import.meta.url));

export function fixtures(): { name: string; text: string }[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".cfg"))
    .sort()
    .map((name) => ({ name, text: readFileSync(FIXTURE_DIR + name, "utf8") }));
}

const plainWord = fc.stringMatching(/^[A-Za-z0-9_=.,:\/()+-]{1,8}$/);
const variable = fc.constantFrom("$a", "${b}", "$1", "${10}", "$?", "$#", "${@}", "$prefix", "$a_b");
const sq = fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/'/g, "")}'`);
const dq = fc
  .array(fc.oneof(fc.stringMatching(/^[^"\\$\0]{0,6}$/), fc.constantFrom("\\\"", "\\\\", "\\$", "$x", "${y}", "\\n", "\\\n")), { maxLength: 4 })
  .map((parts) => `"${parts.join("")}"`);
const escaped = fc.constantFrom("\\;", "\\{", "\\ ", "\\'", "\\\"", "\\$", "\\\\", "\\>");
const reserved = fc.constantFrom("if", "then", "fi", "do", "done", "in", "for", "while", "function", "else", "elif", "case", "esac", "select", "until");

/** A word usable as an argument (may also be a reserved word, which is fine as an argument). */
export const argWord: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: plainWord },
  { weight: 1, arbitrary: fc.array(fc.oneof(plainWord, variable, sq, dq, escaped), { minLength: 1, maxLength: 3 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: reserved },
);

const commandName = fc.oneof(
  fc.constantFrom("echo", "set", "insmod", "linux", "initrd", "save_env", "load_env", "true", "false", "[", "x=1", "a_b=$c", "search"),
  plainWord.filter((w) => !/^(if|then|fi|do|done|in|for|while|function|else|elif|case|esac|select|until)$/.test(w)),
);

const blank = fc.constantFrom(" ", "  ", "\t", " \t ");
const comment = fc.constantFrom("", "", "", " # note", " #x'y", "\t# a \"b");
const delim = fc.constantFrom(";", "\n", "\n\n", " ;\n", ";  # c\n");
const nl = fc.constantFrom("", "\n", "\n  \n");

function cmdsOf(cmd: fc.Arbitrary<string>, d: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.array(fc.tuple(cmd, d), { minLength: 1, maxLength: 3 }).map((xs) => xs.map(([c, dl]) => c + dl).join(""));
}

/** A command (simple, if, for, while, until, with blocks), nesting up to `depth`. */
export function command(depth: number): fc.Arbitrary<string> {
  const simple = fc
    .tuple(commandName, fc.array(fc.tuple(blank, argWord), { maxLength: 4 }), comment)
    .map(([name, args, _c]) => name + args.map(([b, a]) => b + a).join(""));
  if (depth <= 0) return simple;
  const inner = command(depth - 1);
  const list = cmdsOf(inner, delim);
  return fc.oneof(
    { weight: 4, arbitrary: simple },
    { weight: 1, arbitrary: fc.tuple(simple, nl, inner, fc.constantFrom("", ";", "\n", " ;\n")).map(([s, n, c, d]) => `${s} {${n} ${c}${d} }`) },
    { weight: 1, arbitrary: fc.tuple(list, list, fc.option(list)).map(([c, b, e]) => `if ${c}then\n${b}${e === null ? "" : `else ${e}`}fi`) },
    { weight: 1, arbitrary: fc.tuple(fc.array(argWord, { maxLength: 3 }), list).map(([items, b]) => `for v in ${items.join(" ")}; do ${b}done`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("while", "until"), list, list).map(([k, c, b]) => `${k} ${c}do\n${b}done`) },
  );
}

/** A whole script: commands and top-level functions, with comments and blank lines. */
export const script: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.tuple(command(2), comment).map(([c, k]) => c + k + "\n") },
      { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), cmdsOf(command(1), delim)).map(([n, b]) => `function ${n} {\n${b}}\n`) },
      { weight: 1, arbitrary: fc.constantFrom("\n", "# comment\n", "  \n", "### BEGIN x ###\n") },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .chain((lines) => fc.boolean().map((dropFinalNewline) => {
    const text = lines.join("");
    return dropFinalNewline ? text.replace(/\n$/, "") : text;
  }));

const noise = fc.constantFrom(
  ";", "\n", "{", "}", "fi", "then", "done", "do", "\"", "'", "\\", "$", "${", "${a}", "#", "|", "&&", "||", ";;", "<", ">",
  " ", "if", "[[", "]]", "\\\n", "$\"", "function f", "function", "else", "elif x; then", "{ true; }", "in", "for", "a b",
  "menuentry 'x' {", "'\n", "\"\n", "$?", "$@", "\r", "\t", "esac", "!", "\n\n",
);

/** A text mutated at random character offsets: insertions of syntax fragments, deletions, line swaps. */
export function mutate(text: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.tuple(fc.constant("insert" as const), fc.nat(text.length), noise),
    fc.tuple(fc.constant("delete" as const), fc.nat(text.length), fc.integer({ min: 1, max: 12 })),
    fc.tuple(fc.constant("swap" as const), fc.nat(1000), fc.nat(1000)),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let t = text;
    for (const e of edits) {
      if (e[0] === "insert") { const at = Math.min(e[1], t.length); t = t.slice(0, at) + e[2] + t.slice(at); }
      else if (e[0] === "delete") { const at = Math.min(e[1], t.length); t = t.slice(0, at) + t.slice(at + e[2]); }
      else {
        const lines = t.split("\n");
        const a = e[1] % lines.length;
        const b = e[2] % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        t = lines.join("\n");
      }
    }
    return t;
  });
}
