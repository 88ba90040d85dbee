/**
 * Stock GRUB 2.06 has no arithmetic, so grub/bootctl-counting.cfg counts a trial down with an
 * if/elif ladder from this value: it picks the trial only while `bootctl_tries` is 1 to 9.
 * (Its own module so that the early-boot service, which needs only this, loads no more.)
 */
export const GRUB_MAX_TRIES = 9;
