/**
 * bootctl-ts(1), the manual page, made from the verb declarations (the ones help.ts and
 * completion.ts read), in man(7) roff. `bootctl-ts help --man` prints it; the build writes it to
 * dist/bootctl-ts.1 (npm's "man", the Debian package's /usr/share/man/man1/bootctl-ts.1.gz).
 *
 * Escapes follow groff_man(7) / man-pages(7): a backslash is `\e`, a hyphen-minus `\-`, and a
 * line starting with `.` or `'` is protected by `\&`.
 */
import type { CAC } from "cac";
import { optionSpecs, usageOf, type OptionSpec } from "./argv.ts";
import { examplesOf, SUMMARY, visibleCommands } from "./help.ts";

function esc(text: string): string {
  const escaped = text.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  return /^[.']/.test(escaped) ? "\\&" + escaped : escaped;
}

function optionTag(spec: OptionSpec): string {
  const flags = spec.flags.map((f) => `\\fB${esc(f)}\\fR`).join(", ");
  if (spec.value === "none") return flags;
  const name = `\\fI${esc((spec.placeholder ?? "value").toUpperCase())}\\fR`;
  return spec.value === "optional" ? `${flags}[=${name}]` : `${flags} ${name}`;
}

function sentence(text: string): string {
  return esc(text.replace(/\.$/, "")) + ".";
}

function options(specs: readonly OptionSpec[]): string[] {
  return specs.flatMap((s) => [".TP", optionTag(s), sentence(s.description)]);
}

export function manPage(cli: CAC, version: string): string {
  const out: string[] = [
    `.TH BOOTCTL\\-TS 1 "" "bootctl\\-ts ${esc(version)}" "User Commands"`,
    ".SH NAME",
    `bootctl\\-ts \\- ${esc(SUMMARY)}`,
    ".SH SYNOPSIS",
    ".B bootctl\\-ts",
    "[\\fIOPTIONS\\fR...] \\fIVERB\\fR [\\fIARGUMENTS\\fR...]",
    ".SH DESCRIPTION",
    "bootctl\\-ts reads and writes what the boot loaders read (GRUB's grub.cfg and grubenv, Boot Loader",
    "Specification entries and loader.conf, unified kernel images, EFI variables) and gives systemd\\-boot",
    "and GRUB one model of boot counting, default and one\\-shot selection, and a boot\\-success service",
    "compatible with systemd\\-bless\\-boot. Where it does the job of an established tool (bootctl,",
    "kernel\\-install, grub\\-editenv, grub\\-script\\-check, efibootmgr, systemd\\-analyze) it matches that tool.",
    ".PP",
    "Options may stand before or after the verb; \\fB\\-\\-\\fR ends them.",
    "With \\fB\\-\\-root\\fR, every path is resolved and confined under that directory.",
    ".SH VERBS",
  ];
  for (const command of visibleCommands(cli)) {
    out.push(".TP", `\\fB${esc(usageOf(command))}\\fR`, sentence(command.description));
    const own = optionSpecs(command);
    if (own.length > 0) out.push(".RS", ...options(own), ".RE");
    const examples = examplesOf(command);
    if (examples.length > 0) {
      out.push(".IP", examples.length === 1 ? "Example:" : "Examples:", ".RS", ".nf", ...examples.map(esc), ".fi", ".RE");
    }
  }
  out.push(
    ".SH GLOBAL OPTIONS",
    "These are understood by every verb.",
    ...options(optionSpecs(cli.globalCommand)),
    ".SH EXIT STATUS",
    "0 on success; 1 when the operation failed; 2 when the command line is wrong (unknown verb or option,",
    "a missing or malformed argument or value). \\fBcompare\\-versions\\fR also exits 11 and 12, as",
    "\\fBsystemd\\-analyze compare\\-versions\\fR does. Errors are one line on standard error,",
    "\\fBbootctl\\-ts: \\fR\\fIMESSAGE\\fR; bad input never changes anything on disk.",
    ".SH ENVIRONMENT",
    ".TP",
    "\\fBNO_COLOR\\fR, \\fBTERM\\fR=dumb",
    "No colour.",
    ".TP",
    "\\fBBOOTCTL_TS_DEBUG\\fR=1",
    "Add stack traces to error messages.",
    ".SH SEE ALSO",
    "\\fBbootctl\\fR(1), \\fBkernel\\-install\\fR(8), \\fBsystemd\\-bless\\-boot.service\\fR(8),",
    "\\fBgrub\\-editenv\\fR(1), \\fBefibootmgr\\fR(8), \\fBsystemd\\-analyze\\fR(1)",
  );
  return out.join("\n") + "\n";
}
