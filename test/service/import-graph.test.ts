/** The early-boot service must stay small: Node built-ins and our own modules only. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";

test("service bundle imports no npm package", async () => {
  const result = await build({
    entryPoints: ["src/service/bin.ts"], bundle: true, platform: "node", format: "cjs", write: false, metafile: true, logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.length > 3, "the metafile lists the service's modules");
  assert.equal(inputs.filter((p) => p.includes("node_modules")), []);
  assert.equal(inputs.filter((p) => p.startsWith("src/cli/")), [], "no CLI code in the service");
});

test.run();
