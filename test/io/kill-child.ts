/** Starts a TS fixture under tsx, waits for it to print "ready", lets it run a little, then SIGKILLs it. */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(new URL("../..", import.meta.url).pathname);

export function runAndKill(script: string, args: string[], afterReadyMs: number): Promise<void> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) setTimeout(() => child.kill("SIGKILL"), afterReadyMs);
    });
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolveP() : reject(new Error(`child exited without being killed: ${err}`))));
  });
}
