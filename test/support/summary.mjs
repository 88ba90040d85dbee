/**
 * Preloaded into the uvu process with `--import`: lets uvu print as usual, then adds the plain
 * line `N passed, N failed` (`, N skipped` when any) that scripts and CI read. Counts come from
 * uvu's own footer; a run that ends without a footer (an import-time throw) counts as failed.
 * Plain JavaScript: on Node 18 a file preloaded next to `--import tsx` is not transformed.
 */
const out = process.stdout;
const write = out.write.bind(out);
let tail = "";
out.write = (chunk, ...rest) => {
  tail = (tail + chunk.toString()).slice(-1024);
  return write(chunk, ...rest);
};

process.on("exit", (code) => {
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
  /** @param {string} label */
  const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const total = count("Total");
  const passed = count("Passed");
  const skipped = count("Skipped");
  if (Number.isNaN(total)) {
    write(`0 passed, 1 failed (uvu did not report; exit ${code})\n`);
    process.exitCode = code || 1;
    return;
  }
  write(`${passed} passed, ${total - passed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
});
