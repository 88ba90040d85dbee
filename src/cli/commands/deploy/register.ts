/** Verbs of boot assessment and deployment. Declarations only; bodies load lazily. */
import type { RegisterCommands } from "../../invocation.ts";

export const registerDeploy: RegisterCommands = (cli, define) => {
  define(
    cli
      .command("bless-boot [verb]", "Mark the current boot good, bad or indeterminate, or print its state (status, the default)")
      .usage("bless-boot [status|good|bad|indeterminate]")
      .example("bootctl-ts bless-boot good"),
    () => import("./bless-boot.ts"),
  );
  define(
    cli
      .command("add <kernel-version> <kernel-image> [...initrds]", "Install a kernel as a Boot Loader Specification entry (like kernel-install add), optionally with tries")
      .usage("add [options] KERNEL-VERSION KERNEL-IMAGE [INITRD...]\n\nKERNEL-IMAGE and INITRD are paths on this machine, as kernel-install's, also under --root (every other path is inside --root).")
      .option("--tries <n>", "Boot tries before the entry counts as bad (default: /etc/kernel/tries, else no counting)")
      .option("--title <title>", "Entry title (default: PRETTY_NAME from os-release)")
      .option("--options <cmdline>", "Kernel command line (default: /etc/kernel/cmdline)")
      .option("--entry-token <token>", "Entry token (default: /etc/kernel/entry-token, else machine-id, IMAGE_ID, ID)")
      .option("--loader <name>", "systemd-boot (counter in the file name) or grub (counter in grubenv); default: detected")
      .option("--make-default", "Make the new entry the default (like set-default)")
      .option("--oneshot", "Boot the new entry once, at the next boot (like set-oneshot)")
      .example("bootctl-ts add --tries 3 6.12.1-200.fc41.x86_64 /usr/lib/modules/6.12.1-200.fc41.x86_64/vmlinuz initramfs.img")
      .example("bootctl-ts --root /mnt add 6.12.1-200.fc41.x86_64 /mnt/usr/lib/modules/6.12.1-200.fc41.x86_64/vmlinuz"),
    () => import("./add.ts"),
  );
  define(
    cli
      .command("remove <kernel-version>", "Remove a kernel's entries and files (like kernel-install remove)")
      .option("--entry-token <token>", "Entry token (default as for add)")
      .example("bootctl-ts remove 6.12.1-200.fc41.x86_64"),
    () => import("./remove.ts"),
  );
  define(
    cli.command("unlink <id>", "Remove the entries matching ID (an id or a glob) and the files only they use, like bootctl unlink")
      .example("bootctl-ts --dry-run unlink 'fedora-6.11*'"),
    () => import("./unlink.ts").then((m) => ({ default: m.runUnlink })),
  );
  define(
    cli.command("cleanup", "Remove files under $BOOT/<entry-token>/ that no entry uses, like bootctl cleanup")
      .option("--entry-token <token>", "Entry token (default as for add)")
      .example("bootctl-ts --dry-run cleanup"),
    () => import("./unlink.ts").then((m) => ({ default: m.runCleanup })),
  );
  define(
    cli
      .command("predict", "Simulate the next boots: which entry boots at each attempt, the counters after it, and when fallback happens")
      .option("--fail <n>", "The next N boots fail, later ones succeed")
      .option("--fail-all", "Every boot of an entry with a boot counter fails (the default)")
      .option("--loader <name>", "systemd-boot or grub (default: detected)")
      .example("bootctl-ts predict")
      .example("bootctl-ts predict --fail 2"),
    () => import("./predict.ts"),
  );
  define(
    cli
      .command("health", "Run the health checks (required.d, wanted.d), then the green.d or red.d hooks")
      .option("--timeout <seconds>", "Time limit per check (default 120)")
      .example("bootctl-ts --dry-run health"),
    () => import("./health.ts"),
  );
  define(
    cli
      .command("install-units", "Install bootctl-ts under --root: the boot-success service and its systemd units (enabled), the command, the kernel-install plugin and the grub.d generators")
      .option("--mode <mode>", "admin: units in /etc/systemd/system, enabled directly (default); vendor: /usr/lib/systemd/system and a preset, as a distribution package")
      .option("--vendor", "Same as --mode=vendor")
      .option("--node <path>", "Path of node in the target system (default /usr/bin/node); it must exist there")
      .example("bootctl-ts --root /mnt/image install-units --vendor"),
    () => import("./install-units.ts"),
  );
};
