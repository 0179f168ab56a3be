import { describe, expect, it } from "vitest";
import { SGLANG_VERSIONS, VLLM_VERSIONS } from "../../../src/config/schemas/deployment.schema.js";
import { atLeastVersion, NEWEST_ENGINE_VERSION, releaseParts } from "../../../src/sim/deployment/engine-version.js";
import { resolveEngine } from "../../../src/sim/deployment/resolve.js";
import { resolveGpu, resolveModel } from "../../../src/catalog/index.js";
import { validateSchema } from "../../../src/config/validate.js";
import type { Deployment } from "../../../src/config/types.js";

describe("engine versions", () => {
  it("defaults to the newest release the schema accepts", () => {
    expect(NEWEST_ENGINE_VERSION.sglang).toBe(SGLANG_VERSIONS[SGLANG_VERSIONS.length - 1]);
    expect(NEWEST_ENGINE_VERSION.vllm).toBe(VLLM_VERSIONS[VLLM_VERSIONS.length - 1]);
    const model = resolveModel("qwen3-32b");
    const gpu = resolveGpu("h100_sxm");
    for (const kind of ["sglang", "vllm"] as const) {
      const d = validateSchema<Deployment>("deployment", { model: "qwen3-32b", gpu: "h100_sxm", engine: { kind } });
      expect(resolveEngine(d, model, gpu).version).toBe(NEWEST_ENGINE_VERSION[kind]);
    }
  });

  it("lists releases oldest first", () => {
    for (const list of [SGLANG_VERSIONS, VLLM_VERSIONS]) {
      for (let i = 1; i < list.length; i++) expect(atLeastVersion(list[i], list[i - 1])).toBe(true);
    }
  });

  it("compares releases by number, post releases as their release", () => {
    expect(releaseParts("0.5.8.post1")).toEqual([0, 5, 8]);
    expect(releaseParts("0.10.1.1")).toEqual([0, 10, 1, 1]);
    expect(atLeastVersion("0.5.6.post2", "0.5.3")).toBe(true);
    expect(atLeastVersion("0.5.1.post1", "0.5.3")).toBe(false);
    expect(atLeastVersion("0.10.2", "0.11.0")).toBe(false);
    expect(atLeastVersion("0.12.0", "0.11.0")).toBe(true);
    expect(atLeastVersion("0.11.0", "0.11")).toBe(true);
  });
});
