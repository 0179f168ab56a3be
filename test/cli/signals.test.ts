/**
 * Ctrl-C and `kill` during a search: the CLI exits with 130 / 143, marks run.json "interrupted",
 * releases the results-folder lock, and `--resume` finishes the run with the frontier an
 * undisturbed run gives.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FrontierFile } from "../../src/results/frontier-file.js";
import { LOCK_NAME } from "../../src/results/lock.js";
import { runSearch } from "../../src/search/run-search.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const SLO = join(root, "test/fixtures/search/small-slo.json");
const tmp = mkdtempSync(join(tmpdir(), "hisim-signals-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const essence = (f: FrontierFile) => ({ recommended: f.recommended, frontier: f.frontier, points: f.points, demandRps: f.demandRps });

/** Runs the CLI search into `dir`, sends `signal` once `afterTrials` trials are logged; resolves to the exit code. */
function interrupt(dir: string, signal: NodeJS.Signals, afterTrials: number): Promise<{ code: number | null; stderr: string }> {
  const trials = join(dir, "trials.jsonl");
  const lines = () => (existsSync(trials) ? readFileSync(trials, "utf8").split("\n").filter((l) => l.trim() !== "").length : 0);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), "--slo", SLO, "--out", dir, "--workers", "1", "--quiet"], {
      cwd: root, stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (!sent && lines() >= afterTrials) {
        sent = true;
        child.kill(signal);
      }
    }, 20);
    child.on("exit", (code) => {
      clearInterval(poll);
      if (sent) ok({ code, stderr });
      else fail(new Error(`the run finished before the signal (${lines()} trials): ${stderr}`));
    });
  });
}

describe("signals during a search", () => {
  let calm: FrontierFile;
  beforeAll(async () => {
    calm = (await runSearch({ slo: SLO, seed: 1, inline: true, out: join(tmp, "calm") })).file;
  }, 120_000);

  it("SIGINT: exit 130, run.json interrupted, lock released, and --resume gives the undisturbed frontier", async () => {
    const dir = join(tmp, "int");
    const r = await interrupt(dir, "SIGINT", 2);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`interrupted (SIGINT); continue with: hisim-tune --slo ... --resume --out ${dir}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const info = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    expect(info).toMatchObject({ status: "interrupted", signal: "SIGINT" });
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
    const resumed = await runSearch({ slo: SLO, seed: 1, inline: true, out: dir, resume: true });
    expect(resumed.reusedTrials).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(essence(resumed.file))).toBe(JSON.stringify(essence(calm)));
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("complete");
  }, 120_000);

  it("SIGTERM: exit 143 and run.json interrupted", async () => {
    const dir = join(tmp, "term");
    const r = await interrupt(dir, "SIGTERM", 1);
    expect(r.code).toBe(143);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))).toMatchObject({ status: "interrupted", signal: "SIGTERM" });
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
  }, 120_000);
});
