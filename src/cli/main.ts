#!/usr/bin/env node
import { interruptRuns } from "../results/interrupt.js";
import { processIo } from "./io.js";
import { runCli } from "./program.js";

// A closed pipe (`hisim-tune ... | head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

// Ctrl-C and `kill`: leave every results folder being written resumable ("interrupted", unlocked)
// and exit with the shell's code for the signal (128 + its number).
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    for (const dir of interruptRuns(signal)) {
      process.stderr.write(`\nhisim-tune: interrupted (${signal}); continue with: hisim-tune --slo ... --resume --out ${dir}\n`);
    }
    process.exit(code);
  });
}

const code = await runCli(process.argv.slice(2), processIo);
process.exitCode = code;
