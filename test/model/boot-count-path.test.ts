import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { parseBootCountPath, BootCountPathError } from "../../src/model/boot-count-path.ts";

// Names from systemd's docs/AUTOMATIC_BOOT_ASSESSMENT.md walkthrough and bless-boot.c's rules
// (good = counter removed; bad = "+0" when DONE is 0, else "+0-DONE", no padding).
test("walkthrough names", () => {
  const cases: [string, string, string, bigint, bigint][] = [
    ["\\loader\\entries\\foo+3.conf", "/loader/entries/foo.conf", "/loader/entries/foo+0.conf", 3n, 0n],
    ["\\loader\\entries\\foo+2-1.conf", "/loader/entries/foo.conf", "/loader/entries/foo+0-1.conf", 2n, 1n],
    ["/EFI/Linux/os+0-3.efi", "/EFI/Linux/os.efi", "/EFI/Linux/os+0-3.efi", 0n, 3n],
    ["/loader/entries/a+b+007-010.conf", "/loader/entries/a+b.conf", "/loader/entries/a+b+0-10.conf", 7n, 10n],
    ["/loader/entries/x+1", "/loader/entries/x", "/loader/entries/x+0", 1n, 0n],
    ["/loader/entries/x+5-2.tar.conf", "/loader/entries/x.tar.conf", "/loader/entries/x+0-2.tar.conf", 5n, 2n],
  ];
  for (const [value, good, bad, left, done] of cases) {
    const p = parseBootCountPath(value);
    assert.is(p.good, good, value);
    assert.is(p.bad, bad, value);
    assert.is(p.left, left, value);
    assert.is(p.done, done, value);
  }
});

test("rejects what bless-boot rejects", () => {
  for (const bad of ["loader/entries/a+1.conf", "/loader/../a+1.conf", "/loader//a+1.conf", "/loader/entries/a.conf",
    "/loader/entries/a+.conf", "/loader/entries/a+1-.conf", "/a+1/b.conf", "/loader/entries/", "/x+99999999999999999999.conf"]) {
    assert.throws(() => parseBootCountPath(bad), (e: unknown) => e instanceof BootCountPathError, bad);
  }
});

test("property: good and bad names differ from each other and keep directory and suffix", () => {
  const seg = fc.stringMatching(/^[a-z0-9._+-]{1,12}$/);
  fc.assert(fc.property(seg, fc.nat(50), fc.option(fc.nat(50)), fc.constantFrom(".conf", ".efi", ""), (stem, left, done, suffix) => {
    const name = `/loader/entries/${stem}+${left}${done === null ? "" : `-${done}`}${suffix}`;
    try {
      const p = parseBootCountPath(name);
      return p.good !== p.bad && p.good.startsWith("/loader/entries/") && p.good.endsWith(suffix) && p.bad.endsWith(suffix);
    } catch (e) {
      return e instanceof BootCountPathError && (stem.includes("/") || stem === "." || stem === "..");
    }
  }), { numRuns: 2000 });
});

test.run();
