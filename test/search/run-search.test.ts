/**
 * The main job end to end on the small space and a small workload: staged vs exhaustive, frontier
 * properties, resume, worker parity, and the error paths of invalid specs.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { dominates } from "../../src/results/pareto.js";
import type { SearchEvents } from "../../src/search/events.js";
import { runSearch, type SearchOutcome } from "../../src/search/run-search.js";
import type { FrontierFile } from "../../src/results/frontier-file.js";
import { checkSchema } from "../../src/config/validate.js";
import { cli } from "../helpers/cli.js";
import { ensureWorkerBuild } from "../worker/ensure-worker-build.js";
import { testTempDir } from "../helpers/tmp.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const SLO = join(root, "test/fixtures/search/small-slo.json");
const tmp = testTempDir("hisim-search-").path;
let n = 0;
const outDir = () => join(tmp, `run-${n++}`);

async function search(extra: Partial<Parameters<typeof runSearch>[0]> = {}, events: SearchEvents = {}): Promise<SearchOutcome> {
  return runSearch({ slo: SLO, seed: 1, inline: true, out: outDir(), ...extra }, events);
}

/** The parts of frontier.json that must not depend on how the run went (ids, wall time). */
function essence(f: FrontierFile): unknown {
  return { recommended: f.recommended, frontier: f.frontier, points: f.points, demandRps: f.demandRps };
}

describe("staged search vs exhaustive on the small space", () => {
  let staged: SearchOutcome;
  let exhaustive: SearchOutcome;
  const heard: string[] = [];
  let trialsHeard = 0;
  beforeAll(async () => {
    staged = await search({}, {
      onLog: (m) => heard.push(`log ${m.split(":")[0]}`),
      onStageStart: (s) => heard.push(`start ${s.stage}`),
      onStageEnd: (s) => heard.push(`end ${s.stage}`),
      onTrialDone: () => trialsHeard++,
    });
    exhaustive = await search({ exhaustive: true });
  }, 240_000);

  it("recommends within 3% of the exhaustive optimum with at most a quarter of its simulations", () => {
    expect(exhaustive.file.recommended).not.toBeNull();
    expect(staged.file.recommended).not.toBeNull();
    const best = exhaustive.file.recommended!.costUsdPerHour;
    expect(staged.file.recommended!.costUsdPerHour).toBeLessThanOrEqual(best * 1.03);
    // Both answers are confirmed on the confirmation seeds, with measured capacities.
    for (const f of [staged.file, exhaustive.file]) {
      expect(f.recommended!.confirmedSeeds).toEqual(f.confirmSeeds);
      expect(f.capacitySeeds).toEqual([...f.confirmSeeds, 1_000_004, 1_000_005]);
      expect(f.recommended!.capacityEstimated).toBe(false);
      for (const p of f.frontier) expect(p.confirmedSeeds.length).toBe(3);
    }
    expect(staged.file.runs).toBeLessThanOrEqual(exhaustive.file.runs / 4);
    expect(exhaustive.file.runs).toBeGreaterThan(50);
  });

  it.each(["staged", "exhaustive"])("%s: every frontier point meets the SLO and none is dominated", (which) => {
    const f = which === "staged" ? staged.file : exhaustive.file;
    const targets = JSON.parse(readFileSync(SLO, "utf8")).targets;
    expect(f.frontier.length).toBeGreaterThan(0);
    for (const p of f.frontier) {
      expect(p.sloMet).toBe(true);
      expect(p.latency.ttftMs).toBeLessThanOrEqual(targets.ttftMs.max);
      expect(p.latency.tpotMs).toBeLessThanOrEqual(targets.tpotMs.max);
      for (const q of f.points) if (q.sloMet) expect(dominates(q, p, targets)).toBe(false);
    }
    // The recommendation is the cheapest SLO-meeting point.
    const cheapest = Math.min(...f.points.filter((p) => p.sloMet).map((p) => p.costUsdPerHour));
    expect(f.recommended!.costUsdPerHour).toBe(cheapest);
  });

  it("tells its hooks about every stage and every simulation", () => {
    // Stage 1 only logs (it estimates, it does not simulate); the small space has no KV tiers, so no
    // stage 3; then the confirmation stage (4).
    expect(heard).toEqual(["log hisim-tune", "log stage 1/3 execution-layer screening", "start 2", "end 2", "start 4", "end 4"]);
    expect(trialsHeard).toBe(staged.newRuns);
  });

  it("writes the whole results folder", () => {
    for (const name of ["frontier.json", "frontier.csv", "trials.jsonl", "summary.md", "report.html", "run.json"]) {
      expect(readFileSync(join(staged.dir, name), "utf8").length).toBeGreaterThan(10);
    }
    const trials = readFileSync(join(staged.dir, "trials.jsonl"), "utf8").trim().split("\n");
    expect(trials.length).toBe(staged.file.runs);
    for (const f of [staged, exhaustive]) expect(checkSchema("frontier", JSON.parse(readFileSync(join(f.dir, "frontier.json"), "utf8")))).toEqual([]);
  });

  it("is deterministic: the same inputs give a byte-identical frontier.json but for runId and wallS", async () => {
    const again = await search();
    expect(JSON.stringify(essence(again.file))).toBe(JSON.stringify(essence(staged.file)));
    const bytes = (dir: string) => readFileSync(join(dir, "frontier.json"), "utf8").replace(/"runId": "[^"]*"/, "").replace(/"wallS": [0-9.e+-]+/, "");
    expect(bytes(again.dir)).toBe(bytes(staged.dir));
  });

  it("a run cut in its confirmation stage and resumed gives the same frontier", async () => {
    const dir = outDir();
    const stagesSeen: number[] = [];
    const cut = await search({ out: dir, maxRuns: staged.file.runs - 3 }, { onStageStart: (st) => stagesSeen.push(st.stage) });
    expect(stagesSeen).toContain(4);
    expect(cut.file.status).toBe("partial");
    const resumed = await search({ out: dir, resume: true });
    expect(resumed.file.status).toBe("ok");
    expect(resumed.newRuns).toBe(3);
    expect(JSON.stringify(essence(resumed.file))).toBe(JSON.stringify(essence(staged.file)));
  });

  it("--headroom plans for demand x (1 + headroom): trials, confirmation and capacity at that rate", async () => {
    const h = await search({ headroom: 0.5 });
    const f = h.file;
    expect(f.headroom).toBe(0.5);
    expect(f.planRps).toBeCloseTo(f.demandRps * 1.5, 2);
    expect(f.recommended!.confirmation!.rateRps).toBeCloseTo(f.planRps, 2);
    expect(f.recommended!.capacityRps).toBeGreaterThanOrEqual(f.planRps);
    // Planning for more traffic never buys less.
    expect(f.recommended!.costUsdPerHour).toBeGreaterThanOrEqual(staged.file.recommended!.costUsdPerHour);
  });

  it("a run killed with SIGKILL and resumed loses no finished trial and gives the same frontier", async () => {
    const dir = outDir();
    const trialsFile = join(dir, "trials.jsonl");
    const lines = () => (existsSync(trialsFile) ? readFileSync(trialsFile, "utf8").split("\n").filter((l) => l.trim() !== "").length : 0);
    await new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), "--slo", SLO, "--out", dir, "--workers", "1", "--quiet"], {
        cwd: root, stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const poll = setInterval(() => {
        if (lines() >= 3) {
          clearInterval(poll);
          child.kill("SIGKILL");
        }
      }, 20);
      child.on("exit", (_code, signal) => {
        clearInterval(poll);
        if (signal === "SIGKILL") done();
        else fail(new Error(`the run finished before it could be killed (${lines()} trials): ${err}`));
      });
    });
    const finished = lines();
    expect(finished).toBeGreaterThanOrEqual(3);
    const resumed = await search({ out: dir, resume: true });
    expect(resumed.reusedTrials).toBeGreaterThanOrEqual(finished);
    expect(resumed.newRuns + resumed.reusedTrials).toBe(staged.file.runs);
    expect(JSON.stringify(essence(resumed.file))).toBe(JSON.stringify(essence(staged.file)));
  }, 120_000);

  it("a run cut short and resumed loses no trial and gives the same frontier", async () => {
    const dir = outDir();
    const cut = await search({ out: dir, maxRuns: 3 });
    expect(cut.newRuns).toBe(3);
    const logged = readFileSync(join(dir, "trials.jsonl"), "utf8").trim().split("\n").length;
    expect(logged).toBe(3);
    const resumed = await search({ out: dir, resume: true });
    expect(resumed.reusedTrials).toBeGreaterThanOrEqual(3);
    expect(resumed.newRuns).toBe(staged.file.runs - 3);
    expect(JSON.stringify(essence(resumed.file))).toBe(JSON.stringify(essence(staged.file)));
  });
});

describe("--max-runs", () => {
  it("--max-runs 3 ends partial with exit 3, says the search was cut, and lists no unevaluated configuration", async () => {
    const dir = outDir();
    const r = await cli("--slo", SLO, "--out", dir, "--workers", "1", "--max-runs", "3", "--quiet");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/partial answer: the search was cut by --max-runs 3/);
    expect(r.stderr).not.toMatch(/no deployment meets the SLO/);
    const f = JSON.parse(readFileSync(join(dir, "frontier.json"), "utf8")) as FrontierFile;
    expect(f.status).toBe("partial");
    expect(f.statusReason).toMatch(/cut by --max-runs 3/);
    expect(f.points.length).toBeLessThanOrEqual(3);
    for (const p of f.points) {
      expect(p.costUsdPerHour).toBeGreaterThan(0);
      expect(p.note ?? "").not.toMatch(/not simulated/);
    }
    // Nothing confirmed in three simulations: no recommendation is claimed.
    expect(f.recommended).toBeNull();
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/cut/);
  });
});

describe("worker pool", () => {
  it("1 worker and 2 worker threads give the same frontier", async () => {
    const why = ensureWorkerBuild();
    if (why) throw new Error(`cannot build the worker: ${why}`);
    const one = await search({ workers: 1 });
    const two = await search({ workers: 2, inline: false });
    expect(JSON.stringify(essence(two.file))).toBe(JSON.stringify(essence(one.file)));
  }, 180_000);
});

describe("invalid specs and spaces (exit 2, clear message)", () => {
  const write = (name: string, obj: unknown) => {
    const p = join(tmp, name);
    writeFileSync(p, JSON.stringify(obj));
    return p;
  };
  const slo = JSON.parse(readFileSync(SLO, "utf8"));
  const space = JSON.parse(readFileSync(join(root, "search-spaces/small.json"), "utf8"));

  it.each([
    ["an unknown axis", { ...space, gpuz: ["h100_sxm"] }, /\/gpuz: unknown field/],
    ["contradictory constraints", { ...space, constraints: ["tp >= 4", "tp <= 2"] }, /constraints/],
    ["an unknown GPU", { ...space, gpus: ["h100"] }, /unknown GPU "h100"/],
  ])("rejects a space with %s", async (_what, spaceObj, pattern) => {
    const sp = write(`space-${n++}.json`, spaceObj);
    const r = await cli("--slo", SLO, "--space", sp, "--out", outDir(), "--quiet", "--workers", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toContain(sp);
  });

  it.each([
    ["--headroom", "-0.1"], ["--headroom", "x"], ["--confirm-seeds", "0"], ["--confirm-seeds", "1.5"],
  ])("rejects %s %s (exit 2)", async (flag, value) => {
    const r = await cli("--slo", SLO, flag, value, "--out", outDir(), "--quiet", "--workers", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
  });

  it("rejects a model no GPU of the space can hold", async () => {
    const sp = write("space-small-gpu.json", { ...space, gpus: ["l40s"], tp: [1] });
    const s = write("slo-big.json", { ...slo, model: "llama-3.1-70b", searchSpace: sp });
    const r = await cli("--slo", s, "--out", outDir(), "--quiet", "--workers", "1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no configuration of the search space can run llama-3\.1-70b/);
  });

  it("an SLO no configuration meets reports the closest points, not an empty file", async () => {
    const s = write("slo-impossible.json", { ...slo, targets: { ttftMs: { percentile: 99, max: 5 }, tpotMs: { percentile: 99, max: 12 } }, searchSpace: join(root, "search-spaces/small.json") });
    const dir = outDir();
    const r = await cli("--slo", s, "--out", dir, "--workers", "1");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no deployment meets the SLO/);
    const f = JSON.parse(readFileSync(join(dir, "frontier.json"), "utf8")) as FrontierFile;
    expect(f.status).toBe("infeasible");
    expect(f.recommended).toBeNull();
    expect(f.points.length).toBeGreaterThan(0);
    expect(f.closest!.length).toBeGreaterThan(0);
  });
});
