/** loader.conf (loader.conf(5); src/shared/bootspec.c boot_loader_read_conf()). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { interpretLoaderConf, parseLoaderConf, parseTimeout, serializeLoaderConf, setLoaderConfValue } from "../../../src/formats/bls/loader-conf.ts";

test("default/timeout last wins, unknown keys warn, raw value kept", () => {
  const c = interpretLoaderConf(parseLoaderConf("default a*\n#x\ntimeout 3\ndefault \"fedora-*\"\nbogus 1\neditor no\n"));
  assert.is(c.defaultPattern, '"fedora-*"');
  assert.equal(c.timeout, { kind: "seconds", seconds: 3 });
  assert.is(c.values.editor, "no");
  assert.equal(c.diagnostics.map((d) => d.line), [5]);
});

test("timeout keywords and bad values", () => {
  assert.equal(parseTimeout("menu-force"), { kind: "menu-force" });
  assert.equal(parseTimeout('"5"'), { kind: "seconds", seconds: 5 });
  assert.is(parseTimeout("5s"), undefined);
});

test("editing keeps everything else", () => {
  const text = "# my conf\ntimeout  5\ndefault old\n";
  assert.is(serializeLoaderConf(setLoaderConfValue(parseLoaderConf(text), "default", "new*")), "# my conf\ntimeout  5\ndefault new*\n");
});

test.run();
