import { bufferIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";

/** Runs the CLI in-process and returns its exit code and output. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
