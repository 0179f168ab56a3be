import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { parseKernelCsv, readKernelCsv } from "../../src/io/kernel-csv.js";
import { testTempDir } from "../helpers/tmp.js";

const dir = testTempDir("hisim-kcsv-").path;
const AIC_ATTN_HEAD =
  "framework,version,device,op_name,kernel_source,batch_size,isl,num_heads,num_key_value_heads,head_dim,beam_width,attn_dtype,kv_cache_dtype,step,latency";

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("kernel CSV", () => {
  it("reads an AIC gemm table with its extra columns", () => {
    const t = parseKernelCsv(
      "framework,version,device,op_name,kernel_source,gemm_dtype,m,n,k,latency\n" +
        "SGLang,0.5.9,NVIDIA H100 80GB HBM3,gemm,sglang,bfloat16,4096,4096,4096,0.183\n" +
        "SGLang,0.5.9,NVIDIA H100 80GB HBM3,gemm,sglang,fp8,1,32,64,0.0051\n",
      "g.csv",
    );
    expect(t.kind).toBe("gemm");
    if (t.kind !== "gemm") return;
    expect(t.rows).toHaveLength(2);
    expect(t.rows[0]).toMatchObject({ dtype: "bfloat16", m: 4096, n: 4096, k: 4096, latencyMs: 0.183, line: 2 });
  });

  it("tells context from generation attention by op_name, then by values", () => {
    const ctx = parseKernelCsv(
      `${AIC_ATTN_HEAD}\nSGLang,0.5.9,H100,context_attention,fa,4,1024,32,4,128,1,bfloat16,bfloat16,0,0.5\n`, "a.csv");
    expect(ctx.kind).toBe("context");
    const gen = parseKernelCsv(
      `${AIC_ATTN_HEAD}\nSGLang,0.5.9,H100,generation_attention,fa,64,1,32,4,128,1,bfloat16,fp8,4095,0.19\n`, "b.csv");
    expect(gen.kind).toBe("generation");
    const bare = parseKernelCsv(
      "batch_size,isl,num_heads,num_key_value_heads,head_dim,attn_dtype,kv_cache_dtype,step,latency\n" +
        "8,1,32,4,128,bfloat16,bfloat16,1023,0.02\n", "x.csv");
    expect(bare.kind).toBe("generation");
    if (bare.kind === "generation") expect(bare.rows[0]).toMatchObject({ batch: 8, isl: 1, step: 1023, kvDtype: "bfloat16" });
  });

  it("reads the custom all-reduce table", () => {
    const t = parseKernelCsv(
      "framework,version,device,op_name,kernel_source,allreduce_dtype,num_gpus,message_size,latency,backend\n" +
        "SGLang,0.5.9,H100,all_reduce,x,bfloat16,2,128,0.0045,sglang_graph\n", "ar.csv");
    expect(t.kind).toBe("allreduce");
    if (t.kind === "allreduce") expect(t.rows[0]).toMatchObject({ numGpus: 2, messageElems: 128, backend: "sglang_graph" });
  });

  it.each([
    ["an empty file", "", /empty\.csv: empty file/],
    ["a header only", "gemm_dtype,m,n,k,latency\n", /no data rows/],
    ["a missing column", "gemm_dtype,m,n,latency\nbfloat16,1,2,0.1\n", /line 1: missing column\(s\) k; expected gemm_dtype,m,n,k,latency/],
    ["an unknown header", "a,b,c\n1,2,3\n", /cannot tell the table kind/],
    ["a non-numeric value", "gemm_dtype,m,n,k,latency\nbfloat16,1,2,3,0.1\nbfloat16,1,x,3,0.1\n", /line 3: column n: expected a positive integer, got "x"/],
    ["a negative latency", "gemm_dtype,m,n,k,latency\nbfloat16,1,2,3,-0.1\n", /line 2: column latency: expected a positive number/],
    ["a short row", "gemm_dtype,m,n,k,latency\nbfloat16,1,2\n", /line 2: expected 5 comma-separated values/],
  ])("rejects %s with the file, the line and what was expected", (_name, text, pattern) => {
    const file = join(dir, _name === "an empty file" ? "empty.csv" : "t.csv");
    writeFileSync(file, text);
    const e = errorOf(() => readKernelCsv(file));
    expect(e.message).toContain(file);
    expect(e.message).toMatch(pattern);
    expect(e.exitCode).toBe(2);
  });

  it("rejects a missing file", () => {
    expect(errorOf(() => readKernelCsv(join(dir, "nope.csv"))).message).toMatch(/does not exist/);
  });
});
