#!/usr/bin/env node
import { processIo } from "./io.js";
import { runCli } from "./program.js";

// A closed pipe (`hisim-tune ... | head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), processIo);
process.exitCode = code;
