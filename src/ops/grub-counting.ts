/**
 * Boot counting on GRUB: the userspace half of the contract in grub/README.md (pure).
 *
 * The grubenv variables (all written with names GRUB script can read):
 *   bootctl_trial     menu entry id of the deployment on trial; unset = no trial
 *   bootctl_tries     tries left for it, "0".."9" (GRUB 2.06 has no arithmetic: the script counts
 *                     down with an if/elif ladder, so at most MAX_GRUB_TRIES)
 *   bootctl_fallback  menu entry id to boot once the trial is out of tries (the last good one)
 *   bootctl_booted    the record of the boot: while a trial exists, GRUB clears it before the menu
 *                     and the menu entry that runs saves its own id (grub render's entry hook),
 *                     so it names the entry that really booted, never a mere choice
 *   bootctl_state     "good" or "bad", written by userspace when it marks the boot; GRUB clears
 *                     it at the next boot, so it describes the current boot only
 *   bootctl_bad       GRUB ids, separated by spaces, of earlier trials that ended without being
 *                     marked good (out of tries, marked bad, or replaced by a newer trial first):
 *                     userspace only (GRUB never reads it), so that no later `add` takes one of
 *                     them for a fallback (model/known-good.ts). Entry names have no spaces.
 * GRUB side (grub/bootctl-counting.cfg + the entries of ops/grub-render.ts): with a trial, the
 * fallback is the default; with no one-shot `next_entry` in effect and tries ≥ 1, the trial's own
 * menu entry takes over and, when it runs, saves tries − 1 with the record, before its kernel is
 * loaded. A trial with no menu entry (grub.cfg not regenerated yet) is never picked: the fallback
 * boots, no try is used, and the record names the fallback, so marking the boot refuses.
 *
 * Mapped to systemd-bless-boot's words (ops/bless-boot.ts): trial booted → `indeterminate`;
 * state good/bad → `good`/`bad`; fallback booted or no trial → `clean`.
 * Existing greenboot/Fedora counters (`boot_counter`, `boot_success`) are reported and, when
 * marking good, handled as greenboot-grub2-set-success does (boot_success=1, boot_counter unset).
 */
import { BootctlError } from "../errors.ts";
import { loadEnvView, setVariable, unsetVariable, type GrubenvBlock } from "../formats/grubenv.ts";
import type { GrubCountingFacts } from "../model/known-good.ts";
import { GRUB_MAX_TRIES } from "../model/grub-tries.ts";
import type { BlessState, BlessVerb } from "./bless-boot.ts";

/** The ladder in grub/bootctl-counting.cfg counts down from this value. */
export const MAX_GRUB_TRIES = GRUB_MAX_TRIES;

export interface GrubCountingState extends GrubCountingFacts {
  trial: string | undefined;
  tries: number | undefined;
  fallback: string | undefined;
  booted: string | undefined;
  mark: "good" | "bad" | undefined;
  /** `bootctl_bad`, when it lists any id (undefined otherwise, so JSON leaves it out). */
  bad: string[] | undefined;
  /** greenboot / Fedora variables, when present. */
  greenboot: { bootCounter?: string; bootSuccess?: string } | undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function idList(v: string | undefined): string[] {
  return (v ?? "").split(" ").filter((id) => id !== "");
}

export function readCountingState(block: GrubenvBlock): GrubCountingState {
  return countingStateOfEnv(loadEnvView(block));
}

/** The same, from the variables as GRUB's load_env sees them. */
export function countingStateOfEnv(env: ReadonlyMap<string, string>): GrubCountingState {
  const triesText = nonEmpty(env.get("bootctl_tries"));
  const mark = env.get("bootctl_state");
  const bootCounter = nonEmpty(env.get("boot_counter"));
  const bootSuccess = nonEmpty(env.get("boot_success"));
  return {
    trial: nonEmpty(env.get("bootctl_trial")),
    tries: triesText !== undefined && /^[0-9]+$/.test(triesText) ? Number(triesText) : undefined,
    fallback: nonEmpty(env.get("bootctl_fallback")),
    booted: nonEmpty(env.get("bootctl_booted")),
    mark: mark === "good" || mark === "bad" ? mark : undefined,
    bad: idList(env.get("bootctl_bad")).length > 0 ? idList(env.get("bootctl_bad")) : undefined,
    greenboot: bootCounter !== undefined || bootSuccess !== undefined
      ? { ...(bootCounter !== undefined ? { bootCounter } : {}), ...(bootSuccess !== undefined ? { bootSuccess } : {}) }
      : undefined,
  };
}

export function grubBlessStatus(state: GrubCountingState): BlessState {
  if (state.mark) return state.mark;
  if (state.trial !== undefined && state.booted === state.trial) return "indeterminate";
  return "clean";
}

/** Set NAME on every line GRUB would read: the first is rewritten, later duplicates removed
 * (grub-editenv edits the first occurrence, load_env keeps the last). */
function assign(block: GrubenvBlock, name: string, value: string): GrubenvBlock {
  let next = setVariable(block, name, value);
  const count = () => next.lines.filter((l) => l.kind === "variable" && l.name === name).length;
  while (count() > 1) {
    const keep = next.lines.findIndex((l) => l.kind === "variable" && l.name === name);
    const drop = next.lines.findIndex((l, i) => i > keep && l.kind === "variable" && l.name === name);
    next = { ...next, lines: next.lines.filter((_, i) => i !== drop) };
  }
  return next;
}

function remove(block: GrubenvBlock, name: string): GrubenvBlock {
  let next = block;
  while (next.lines.some((l) => l.kind === "variable" && l.name === name)) next = unsetVariable(next, name);
  return next;
}

export interface GrubBlessPlan {
  verb: BlessVerb;
  outcome: "changed" | "already";
  /** The block after the change (same object when nothing changes). */
  after: GrubenvBlock;
  notes: string[];
}

/**
 * Mark the current boot on GRUB. good: the trial becomes the default (`saved_entry`) and
 * counting stops; bad: its tries drop to 0 so the next boot falls back. Requires the record of
 * the boot (`bootctl_booted`, saved by the entry that ran) to name the trial: a boot of any other
 * entry (the fallback, a one-shot, a trial GRUB has no menu entry for) is never marked as the
 * trial's. Marking again is a no-op.
 */
export function planGrubBless(block: GrubenvBlock, verb: BlessVerb): GrubBlessPlan {
  const state = readCountingState(block);
  if (state.mark === verb) return { verb, outcome: "already", after: block, notes: ["operation already executed before, not doing anything"] };
  if (verb === "indeterminate") throw new BootctlError("E_NOT_SUPPORTED", "bless-boot indeterminate is not supported with GRUB boot counting");
  if (state.trial === undefined || state.booted !== state.trial) {
    // greenboot counting without ours: mark good the way greenboot does.
    if (verb === "good" && state.greenboot?.bootCounter !== undefined) {
      let after = assign(block, "boot_success", "1");
      after = remove(after, "boot_counter");
      return { verb, outcome: "changed", after, notes: ["greenboot counting: boot_success=1, boot_counter unset"] };
    }
    if (state.trial !== undefined && state.booted !== undefined) {
      throw new BootctlError("E_NOT_COUNTING", `not booted with boot counting in effect: GRUB booted ${state.booted}, not ${state.trial}, the entry on trial (a trial without a menu entry boots the fallback until grub.cfg is regenerated)`);
    }
    if (state.trial !== undefined) {
      throw new BootctlError("E_NOT_COUNTING", `not booted with boot counting in effect: no menu entry recorded this boot as ${state.trial}, the entry on trial (menu entries need the hooks of 'bootctl-ts grub render')`);
    }
    throw new BootctlError("E_NOT_COUNTING", "not booted with boot counting in effect (no entry on trial)");
  }
  let after = block;
  const notes: string[] = [];
  if (verb === "good") {
    after = assign(after, "saved_entry", state.trial);
    for (const name of ["bootctl_trial", "bootctl_tries", "bootctl_fallback"]) after = remove(after, name);
    after = withBadList(after, (state.bad ?? []).filter((id) => id !== state.trial));
    if (state.greenboot?.bootCounter !== undefined) {
      after = assign(after, "boot_success", "1");
      after = remove(after, "boot_counter");
      notes.push("greenboot counting: boot_success=1, boot_counter unset");
    }
  } else {
    after = assign(after, "bootctl_tries", "0");
  }
  after = assign(after, "bootctl_state", verb);
  return { verb, outcome: "changed", after, notes };
}

export interface TrialSpec {
  /** Menu entry id of the new deployment. */
  trial: string;
  tries: number;
  /** Menu entry id to fall back to. */
  fallback: string;
  /**
   * Whether an id still names an entry; ids in `bootctl_bad` that name none are dropped (the
   * entry was removed). Default: every id is kept.
   */
  exists?: (id: string) => boolean;
}

/** `bootctl_bad` = ids (removed when empty). */
function withBadList(block: GrubenvBlock, ids: readonly string[]): GrubenvBlock {
  const text = [...new Set(ids)].join(" ");
  const current = loadEnvView(block).get("bootctl_bad");
  if (text === "") return current === undefined ? block : remove(block, "bootctl_bad");
  return current === text ? block : assign(block, "bootctl_bad", text);
}

/**
 * Put a new deployment on trial (the GRUB half of `add --tries N`). A trial in the grubenv that
 * is not the new one ended without being marked good (`bless-boot good` removes the trial): it
 * joins `bootctl_bad`, and the new trial leaves it (a version installed again is a new
 * deployment).
 */
export function planGrubTrial(block: GrubenvBlock, spec: TrialSpec): GrubenvBlock {
  if (!Number.isInteger(spec.tries) || spec.tries < 1 || spec.tries > MAX_GRUB_TRIES) {
    throw new BootctlError("E_BOOT_COUNTER_RANGE", `GRUB boot counting supports 1 to ${MAX_GRUB_TRIES} tries, got ${spec.tries}`);
  }
  for (const id of [spec.trial, spec.fallback]) {
    if (id === "" || /[\n\0]/.test(id)) throw new BootctlError("E_BAD_NAME", `invalid menu entry id ${JSON.stringify(id)}`);
  }
  const before = readCountingState(block);
  const exists = spec.exists ?? (() => true);
  const ended = before.trial !== undefined && before.trial !== spec.trial ? [before.trial] : [];
  const bad = [...(before.bad ?? []), ...ended].filter((id) => id !== spec.trial && exists(id));
  let after = assign(block, "bootctl_trial", spec.trial);
  after = assign(after, "bootctl_tries", String(spec.tries));
  after = assign(after, "bootctl_fallback", spec.fallback);
  after = remove(after, "bootctl_booted");
  after = remove(after, "bootctl_state");
  return withBadList(after, bad);
}
