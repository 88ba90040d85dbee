/**
 * Node built-in modules loaded on first use, synchronously, on every Node the package supports
 * (package.json `engines`; tested on 18.19 to 26). `process.getBuiltinModule` exists from Node
 * 20.16 and 22.3; before that, `require` from `module.createRequire` loads the same modules.
 * A static `import` would load them at start-up (child_process and tty cost milliseconds), and a
 * dynamic `import()` is not available in the CLI bundle, which runs from a vm.Script with a code
 * cache (src/cli/bin-code-cache.ts).
 */
import { createRequire } from "node:module";

interface BuiltinModules {
  "node:child_process": typeof import("node:child_process");
  "node:tty": typeof import("node:tty");
  "node:v8": typeof import("node:v8");
}

type ProcessWithBuiltins = { getBuiltinModule?: (id: string) => unknown };

let requireBuiltin: ((id: string) => unknown) | undefined;

export function builtinModule<K extends keyof BuiltinModules>(id: K): BuiltinModules[K] {
  const getBuiltin = (process as ProcessWithBuiltins).getBuiltinModule;
  if (getBuiltin) return getBuiltin.call(process, id) as BuiltinModules[K];
  // Built-ins resolve the same from any directory; "/" only satisfies createRequire's argument.
  requireBuiltin ??= createRequire("/");
  return requireBuiltin(id) as BuiltinModules[K];
}
