/**
 * The verbs of `bootctl-ts`, one registration module per domain. Registration modules only
 * declare verbs and options (cheap); each verb's body is imported when it runs.
 */
import type { RegisterCommands } from "./invocation.ts";
import { registerCore } from "./commands/core/register.ts";
import { registerBls } from "./commands/bls/register.ts";
import { registerGrubenv } from "./commands/grubenv/register.ts";
import { registerGrub } from "./commands/grub/register.ts";
import { registerEfi } from "./commands/efi/register.ts";
import { registerDeploy } from "./commands/deploy/register.ts";
import { registerSelect } from "./commands/select/register.ts";

export const registrations: readonly RegisterCommands[] = [
  registerBls,
  registerDeploy,
  registerSelect,
  registerGrubenv,
  registerGrub,
  registerEfi,
  registerCore,
];
