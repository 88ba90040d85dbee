/**
 * grub.cfg texts written here in the style of the files distributions and update frameworks
 * generate (each names the upstream file it follows). Written for the tests, not copied.
 */

/**
 * Debian/Ubuntu: GRUB's util/grub.d/00_header.in (the `menuentry_id_option` block, next_entry /
 * saved_entry handling) and util/grub.d/10_linux.in (`menuentry '…' --class … $menuentry_id_option
 * 'gnulinux-simple-UUID'`, the "Advanced options" submenu with `gnulinux-advanced-UUID`).
 */
export function ubuntuStyleCfg(kernels: readonly string[], uuid = "0b1c6e2a-5d7f-4c1e-9a3b-2f8d7e6c5b4a"): string {
  const out = [
    "if [ -s $prefix/grubenv ]; then",
    "  set have_grubenv=true",
    "  load_env",
    "fi",
    'if [ "${next_entry}" ] ; then',
    '   set default="${next_entry}"',
    "   set next_entry=",
    "   save_env next_entry",
    "   set boot_once=true",
    "else",
    '   set default="0"',
    "fi",
    "",
    'if [ x"${feature_menuentry_id}" = xy ]; then',
    '  menuentry_id_option="--id"',
    "else",
    '  menuentry_id_option=""',
    "fi",
    "",
    "export menuentry_id_option",
    "",
    'if [ "${prev_saved_entry}" ]; then',
    '  set saved_entry="${prev_saved_entry}"',
    "  save_env saved_entry",
    "  set prev_saved_entry=",
    "  save_env prev_saved_entry",
    "  set boot_once=true",
    "fi",
    'if [ "${saved_entry}" ] ; then',
    '   set default="${saved_entry}"',
    "fi",
    "set timeout=0",
  ];
  const [first, ...rest] = kernels;
  out.push(`menuentry 'Ubuntu' --class ubuntu --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-${uuid}' {`,
    "\trecordfail", "\tload_video", "\tinsmod gzio", `\tlinux\t/boot/vmlinuz-${first} root=UUID=${uuid} ro quiet splash $vt_handoff`, `\tinitrd\t/boot/initrd.img-${first}`, "}");
  out.push(`submenu 'Advanced options for Ubuntu' $menuentry_id_option 'gnulinux-advanced-${uuid}' {`);
  for (const k of [first!, ...rest]) {
    for (const recovery of [false, true]) {
      const title = `Ubuntu, with Linux ${k}${recovery ? " (recovery mode)" : ""}`;
      out.push(`\tmenuentry '${title}' --class ubuntu --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-${k}-${recovery ? "recovery" : "advanced"}-${uuid}' {`,
        "\t\trecordfail", `\t\techo\t'Loading Linux ${k} ...'`, `\t\tlinux\t/boot/vmlinuz-${k} root=UUID=${uuid} ro ${recovery ? "recovery nomodeset dis_ucode_ldr" : "quiet splash $vt_handoff"}`, "\t}");
    }
  }
  out.push("}");
  return out.join("\n") + "\n";
}
