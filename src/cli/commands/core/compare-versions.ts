/**
 * `compare-versions`, matching `systemd-analyze compare-versions` (src/analyze/analyze-compare-versions.c):
 * - `A B`: prints `A < B`, `A == B` or `A > B` (an empty version shown as `''`) and exits
 *   12, 0 or 11 respectively.
 * - `A OP B` with OP one of lt, le, eq, ne, ge, gt (also `<`, `<=`, `==`, `!=`, `>=`, `>`):
 *   prints nothing, exits 0 when true, 1 when false.
 */
import { UsageError } from "../../../errors.ts";
import { compareVersions, testVersions, type VersionOperator } from "../../../model/version.ts";
import { refuseJson, type CommandInvocation } from "../../invocation.ts";

const OPERATOR_ALIASES: Record<string, VersionOperator> = {
  lt: "lt", le: "le", eq: "eq", ne: "ne", ge: "ge", gt: "gt",
  "<": "lt", "<=": "le", "==": "eq", "!=": "ne", ">=": "ge", ">": "gt",
};

function show(version: string): string {
  return version === "" ? "''" : version;
}

export default async function compareVersionsCommand(invocation: CommandInvocation): Promise<number> {
  const { args, output } = invocation;
  // systemd-analyze compare-versions has no JSON form either; the exit status is the answer.
  refuseJson(invocation, "compare-versions");
  if (args.length === 2) {
    const [a, b] = args as [string, string];
    const r = compareVersions(a, b);
    output.line(`${show(a)} ${r < 0 ? "<" : r > 0 ? ">" : "=="} ${show(b)}`);
    return r < 0 ? 12 : r > 0 ? 11 : 0;
  }
  if (args.length === 3) {
    const [a, op, b] = args as [string, string, string];
    const operator = OPERATOR_ALIASES[op];
    if (!operator) throw new UsageError(`unknown operator '${op}'`);
    return testVersions(a, operator, b) ? 0 : 1;
  }
  throw new UsageError("compare-versions takes two versions, or a version, an operator and a version");
}
