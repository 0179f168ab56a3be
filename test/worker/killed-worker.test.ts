/**
 * A worker thread that dies mid-trial during a search: the pool retries the trial on a fresh
 * thread and the search finishes with the same frontier as an undisturbed run.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FrontierFile } from "../../src/results/frontier-file.js";
import { runSearch } from "../../src/search/run-search.js";
import { crashMarker } from "../fixtures/worker/crash-once-sim-worker.mjs";
import { ensureWorkerBuild } from "./ensure-worker-build.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const SLO = join(root, "test/fixtures/search/small-slo.json");
const WORKER = join(root, "test/fixtures/worker/crash-once-sim-worker.mjs");
const tmp = mkdtempSync(join(tmpdir(), "hisim-killed-worker-"));
const marker = crashMarker(process.pid);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(marker, { force: true });
});

const essence = (f: FrontierFile) => ({ recommended: f.recommended, frontier: f.frontier, points: f.points, demandRps: f.demandRps });

describe("a worker thread killed mid-trial", () => {
  it("is retried and the search finishes with the same frontier", async () => {
    const why = ensureWorkerBuild();
    if (why) throw new Error(`cannot build the worker: ${why}`);
    rmSync(marker, { force: true });
    const calm = await runSearch({ slo: SLO, seed: 1, inline: true, out: join(tmp, "calm") });
    const hit = await runSearch({ slo: SLO, seed: 1, workers: 2, workerFile: WORKER, out: join(tmp, "hit") });
    expect(existsSync(marker)).toBe(true);
    expect(hit.newRuns).toBe(calm.newRuns);
    expect(JSON.stringify(essence(hit.file))).toBe(JSON.stringify(essence(calm.file)));
  }, 180_000);
});
