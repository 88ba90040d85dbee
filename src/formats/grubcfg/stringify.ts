/**
 * Printing a grub.cfg tree. The tree is lossless (every character of the input is in exactly one
 * token), so printing is the concatenation of the token texts: `stringify(parse(t)) === t`.
 */
import type { Script } from "./ast.ts";

export function stringify(script: Script): string {
  const list = script.tokenList;
  const parts: string[] = [];
  if (list) for (let i = 0; i < list.length; i++) parts.push(list.tokenText(i));
  else for (const t of script.tokens) parts.push(t.text);
  return parts.join("");
}
