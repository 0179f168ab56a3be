/** The results folder's deploy/: scripts per node and router, README, deploy.json; the bucket fallback. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeDeployFolder } from "../../src/deploy/write-deploy.js";
import { buildFrontierFile } from "../../src/results/frontier-file.js";
import { renderSummaryMarkdown } from "../../src/report/summary-md.js";
import { TEST_PRICES } from "../helpers/prices.js";
import { TARGETS, deployment, point } from "../search/make-points.js";

const tmp = mkdtempSync(join(tmpdir(), "hisim-deploy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fileWith(points: ReturnType<typeof point>[]) {
  return buildFrontierFile({
    runId: "r", status: "ok", runs: 1, wallS: 1, demandRps: 40, prices: "test-prices", headroom: 0, planRps: 40, seed: 1, confirmSeeds: [1000004], targets: TARGETS, points,
  });
}

describe("writeDeployFolder", () => {
  it("writes one script per node, the router script, README and deploy.json for the recommendation", () => {
    const dir = join(tmp, "a");
    const rec = point("rec", { costUsdPerHour: 10, sloMet: true, deployment: deployment({ tp: 2, replicas: 6 }) });
    const s = writeDeployFolder(dir, fileWith([rec]), TEST_PRICES)!;
    for (const f of ["node-0.sh", "node-1.sh", "router.sh", "README.md", "deploy.json"]) expect(existsSync(join(dir, "deploy", f))).toBe(true);
    expect(statSync(join(dir, "deploy", "node-0.sh")).mode & 0o111).not.toBe(0);
    const node1 = readFileSync(join(dir, "deploy", "node-1.sh"), "utf8");
    expect(node1.match(/python -m sglang\.launch_server/g)).toHaveLength(2); // replicas 4 and 5
    expect(node1).toContain("CUDA_VISIBLE_DEVICES=2,3 python -m sglang.launch_server");
    expect(readFileSync(join(dir, "deploy", "router.sh"), "utf8")).toContain("--worker-urls http://node-0:30000");
    const j = JSON.parse(readFileSync(join(dir, "deploy", "deploy.json"), "utf8"));
    expect(j.replicas).toHaveLength(6);
    expect(j.routerRelease).toBe("0.3.2");
    expect(s.replicas).toBe(6);
    const md = renderSummaryMarkdown(fileWith([rec]), { targets: TARGETS, deploy: s });
    expect(md).toContain("## Deploy");
    expect(md).toContain("python -m sglang.launch_server --model-path Qwen/Qwen3-32B");
    expect(md).toContain("python -m sglang_router.launch_router");
  });

  it("a bucket recommendation also gets the cheapest SLO-meeting deployment with a released policy", () => {
    const dir = join(tmp, "b");
    const rec = point("rec", { costUsdPerHour: 10, sloMet: true, deployment: deployment({ replicas: 4, router: { policy: "bucket" } }) });
    const alt = point("alt", { costUsdPerHour: 12, sloMet: true, deployment: deployment({ replicas: 5, router: { policy: "cache_aware" } }) });
    const dear = point("dear", { costUsdPerHour: 15, sloMet: true, deployment: deployment({ replicas: 6, router: { policy: "round_robin" } }) });
    const s = writeDeployFolder(dir, fileWith([rec, alt, dear]), TEST_PRICES)!;
    expect(readFileSync(join(dir, "deploy", "router.sh"), "utf8")).toMatch(/NOTE: this policy needs sglang-router built from the SGLang source tree/);
    expect(readFileSync(join(dir, "deploy", "README.md"), "utf8")).toMatch(/not accepted by any released sglang-router/);
    expect(s.alternative).toMatchObject({ pointId: "alt", costUsdPerHour: 12 });
    expect(readFileSync(join(dir, "deploy", "released-router", "router.sh"), "utf8")).toContain("--policy cache_aware");
  });

  it("scripts for a workload beyond Qwen3's native 40,960 tokens launch it with YaRN; within it, without", () => {
    const rec = point("rec", { costUsdPerHour: 10, sloMet: true, deployment: deployment({ replicas: 1 }) });
    writeDeployFolder(join(tmp, "long"), fileWith([rec]), TEST_PRICES, { longestRequestTokens: 60_500 });
    const long = readFileSync(join(tmp, "long", "deploy", "node-0.sh"), "utf8");
    expect(long).toContain("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1 python -m sglang.launch_server");
    expect(long).toContain(`--json-model-override-args '{"rope_scaling":{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":32768}}'`);
    expect(long).toContain("--context-length 131072");
    expect(readFileSync(join(tmp, "long", "deploy", "README.md"), "utf8")).toMatch(/YaRN rope scaling \(factor 4.0 over 32,768 positions\)/);
    writeDeployFolder(join(tmp, "short"), fileWith([rec]), TEST_PRICES, { longestRequestTokens: 4_500 });
    expect(readFileSync(join(tmp, "short", "deploy", "node-0.sh"), "utf8")).not.toMatch(/rope_scaling|--context-length|SGLANG_ALLOW/);
  });

  it("writes nothing when no deployment meets the SLO", () => {
    const dir = join(tmp, "c");
    expect(writeDeployFolder(dir, fileWith([point("x", { sloMet: false })]), TEST_PRICES)).toBeUndefined();
    expect(existsSync(join(dir, "deploy"))).toBe(false);
  });
});
