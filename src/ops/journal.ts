/**
 * The service's structured journal messages (pure): stable MESSAGE_IDs (128-bit ids, made once
 * with `systemd-id128 new`, as systemd's catalog ids are; never change one), the fields of each
 * message, and the message catalog that explains them (`journalctl -x`), installed as
 * /usr/lib/systemd/catalog/bootctl-ts.catalog. Catalog format: systemd's
 * docs/CATALOG.md / journalctl(1) --update-catalog: `-- ID` opens an entry, then `Key: value`
 * headers, an empty line and the text; `@FIELD@` is replaced by the entry's field.
 *
 * Fields go to `logger --journald` on stdin, one `FIELD=value` per line (util-linux
 * misc-utils/logger.c, journald_entry()): a value cannot hold a line feed there, so line feeds
 * become spaces. Field names: upper-case letters, digits and `_`, not starting with `_` or a digit
 * (systemd's journal_field_valid()).
 */
export const MESSAGE_IDS = {
  blessed: "283a0934852e47639816fbf3bcbcb3e5",
  markedBad: "f33a56949c354542b6d40f0d89c18cc2",
  fellBack: "1e646399a5404204bf16c2b09c969caa",
  guardStopped: "b913ab206c4f48f4865ac2889583bc45",
  healthCheckFailed: "b8219feb66ec42e886303c2ed30bda74",
} as const;

export type MessageKind = keyof typeof MESSAGE_IDS;

/** syslog priorities (sd-journal PRIORITY=). */
const PRIORITY: Record<MessageKind, number> = { blessed: 5, markedBad: 3, fellBack: 4, guardStopped: 2, healthCheckFailed: 3 };

export interface JournalMessage {
  kind: MessageKind;
  /** The human-readable line (MESSAGE=), also what goes to stderr when the journal cannot be reached. */
  message: string;
  /** BOOTCTL_TS_* fields, names without the prefix (ENTRY, TRIES_LEFT, …). */
  fields: Readonly<Record<string, string | number | undefined>>;
}

const FIELD_NAME = /^[A-Z][A-Z0-9_]*$/;

function oneLine(value: string): string {
  return value.replace(/[\r\n]/g, " ");
}

/** The `logger --journald` input for a message: FIELD=value lines. */
export function journalEntry(m: JournalMessage): string {
  const lines = [`MESSAGE_ID=${MESSAGE_IDS[m.kind]}`, `MESSAGE=${oneLine(m.message)}`, `PRIORITY=${PRIORITY[m.kind]}`, "SYSLOG_IDENTIFIER=bootctl-ts"];
  for (const [name, value] of Object.entries(m.fields)) {
    if (value === undefined) continue;
    const field = `BOOTCTL_TS_${name}`;
    if (!FIELD_NAME.test(field)) throw new Error(`invalid journal field name ${field}`);
    lines.push(`${field}=${oneLine(String(value))}`);
  }
  return lines.join("\n") + "\n";
}

const SUPPORT = "https://github.com/systemd/systemd/blob/main/docs/AUTOMATIC_BOOT_ASSESSMENT.md";

/** The catalog entries: subject and text per message. */
const CATALOG: Record<MessageKind, { subject: string; text: string }> = {
  blessed: {
    subject: "Boot entry @BOOTCTL_TS_ENTRY@ marked good",
    text: `The boot of entry @BOOTCTL_TS_ENTRY@ reached boot-complete.target with every required
health check passed, and bootctl-ts marked it good: the boot loader stops counting its tries
(systemd-boot: the counter is removed from the entry's file name; GRUB: the trial becomes
saved_entry).`,
  },
  markedBad: {
    subject: "Boot entry @BOOTCTL_TS_ENTRY@ marked bad",
    text: `A required health check failed in the boot of entry @BOOTCTL_TS_ENTRY@ and bootctl-ts
marked the entry bad: it has no tries left, so the boot loader starts another entry at the next
boot. Failed checks: @BOOTCTL_TS_FAILED_CHECKS@.

See 'bootctl-ts health' for the checks and 'bootctl-ts status' for the boot-assessment state.`,
  },
  fellBack: {
    subject: "Boot loader fell back from @BOOTCTL_TS_ENTRY@ to @BOOTCTL_TS_BOOTED@",
    text: `The boot loader did not start entry @BOOTCTL_TS_ENTRY@, which was on trial, but
@BOOTCTL_TS_BOOTED@: the trial failed (@BOOTCTL_TS_REASON@). The rollback is recorded in
/var/lib/bootctl-ts/rollbacks.json; 'bootctl-ts status' shows the last one.

"never reached userspace" means the entry used its tries without any boot reaching the health
checks (a kernel or initrd that does not boot, a hang, a power cut during each try).`,
  },
  guardStopped: {
    subject: "Health checks failed, not rebooting (bootloop guard)",
    text: `A required health check failed in this boot, but rebooting would start the same entry
(@BOOTCTL_TS_ENTRY@) again, or what boots next could not be told, so bootctl-ts does not
reboot: @BOOTCTL_TS_REASON@.

The system stays up in a failed state. Repair it, or select another entry with
'bootctl-ts set-oneshot' and reboot.`,
  },
  healthCheckFailed: {
    subject: "Health check @BOOTCTL_TS_CHECK@ failed",
    text: `The @BOOTCTL_TS_CHECK_KIND@ health check @BOOTCTL_TS_CHECK@ (@BOOTCTL_TS_CHECK_PATH@)
failed (@BOOTCTL_TS_CHECK_RESULT@) after @BOOTCTL_TS_DURATION_MS@ ms. A failed required check
fails the boot: the entry is marked bad and the boot loader falls back.

Run 'bootctl-ts health' to see the checks and their output.`,
  },
};

/** The catalog file's text (systemd catalog format). */
export function catalogText(): string {
  const out = ["# bootctl-ts message catalog (systemd catalog format, see journalctl(1) --update-catalog)", ""];
  for (const kind of Object.keys(MESSAGE_IDS) as MessageKind[]) {
    const { subject, text } = CATALOG[kind];
    out.push(`-- ${MESSAGE_IDS[kind]}`, `Subject: ${subject}`, "Defined-By: bootctl-ts", `Support: ${SUPPORT}`, "", text, "");
  }
  return out.join("\n");
}
