/**
 * The environment handling upstream GRUB 2.06's 00_header writes into grub.cfg (util/grub.d/00_header.in):
 * load the grubenv, consume `next_entry` before booting (setting `boot_once`), else boot
 * `saved_entry`. Tests put bootctl-ts's counting fragment after it, as grub-mkconfig would.
 */
export const UPSTREAM_00_HEADER_ENV = `if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi
`;
