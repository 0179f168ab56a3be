/**
 * Reads kernel latency tables in NVIDIA AIConfigurator's CSV format (the `*_perf.csv` files its
 * collector writes). The table kind is detected from the header; extra columns (framework, version,
 * device, op_name, kernel_source, beam_width, ...) are ignored. Latencies are milliseconds on one GPU.
 *
 * - gemm: `gemm_dtype,m,n,k,latency`
 * - context / generation attention: `batch_size,isl,num_heads,num_key_value_heads,head_dim,attn_dtype,
 *   kv_cache_dtype,step,latency`; the two are told apart by `op_name` when present, else by the values
 *   (generation rows have isl = 1 and a KV length in `step`), else by the file name.
 * - custom all-reduce: `allreduce_dtype,num_gpus,message_size,latency[,backend]` (message in elements).
 * - NCCL collectives: `op_name,nccl_dtype,num_gpus,message_size,latency` (message in elements; for
 *   all_gather the gathered result, as nccl-tests counts it).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { InputError } from "../errors.js";
import { splitCsvLine } from "./csv-line.js";
import type {
  AllreduceRow, AttentionRow, GemmRow, KernelTable, NcclRow,
} from "../sim/estimator/kernel-profiles.js";

const GEMM_COLS = ["gemm_dtype", "m", "n", "k", "latency"] as const;
const ATTN_COLS = [
  "batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim", "attn_dtype", "kv_cache_dtype", "step", "latency",
] as const;
const AR_COLS = ["allreduce_dtype", "num_gpus", "message_size", "latency"] as const;
const NCCL_COLS = ["op_name", "nccl_dtype", "num_gpus", "message_size", "latency"] as const;

/** The trimmed cells of one line (AIC files have no quoted fields; padding is tolerated). */
function cellsOf(line: string): string[] {
  return splitCsvLine(line).map((c) => c.trim());
}

type Kind = "gemm" | "attention" | "allreduce" | "nccl";

function detectKind(header: string[], file: string): Kind {
  const has = (cols: readonly string[]) => cols.every((c) => header.includes(c));
  if (header.includes("gemm_dtype")) return "gemm";
  if (header.includes("allreduce_dtype")) return "allreduce";
  if (header.includes("nccl_dtype")) return "nccl";
  if (header.includes("attn_dtype") || header.includes("kv_cache_dtype")) return "attention";
  // Name the expected columns of the closest kind so the message is actionable.
  const closest = has(["m", "n", "k"]) ? GEMM_COLS : header.includes("batch_size") ? ATTN_COLS : undefined;
  throw new InputError({
    file,
    path: "line 1",
    message: closest
      ? `missing column(s) ${closest.filter((c) => !header.includes(c)).join(", ")}; expected an AIConfigurator kernel table with columns ${closest.join(",")}`
      : `cannot tell the table kind from the header; expected gemm_perf (${GEMM_COLS.join(",")}), ` +
        `context/generation_attention_perf (${ATTN_COLS.join(",")}) or custom_allreduce_perf (${AR_COLS.join(",")})`,
  });
}

/**
 * Parses the text of an AIC kernel table. `file` names the source in errors. Throws one InputError
 * naming the file, the line and what was expected on the first malformed line.
 */
export function parseKernelCsv(text: string, file: string): KernelTable {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === "") first++;
  if (first >= lines.length) throw new InputError({ file, message: "empty file; expected a CSV header and rows" });
  const header = cellsOf(lines[first]).map((h) => h.toLowerCase());
  const kind0 = detectKind(header, file);
  const required: readonly string[] =
    kind0 === "gemm" ? GEMM_COLS : kind0 === "allreduce" ? AR_COLS : kind0 === "nccl" ? NCCL_COLS : ATTN_COLS;
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError({
      file,
      path: `line ${first + 1}`,
      message: `missing column(s) ${missing.join(", ")}; expected ${required.join(",")}`,
    });
  }
  const col = (name: string) => header.indexOf(name);
  const opCol = col("op_name");
  const backendCol = col("backend");

  const gemm: GemmRow[] = [];
  const attn: AttentionRow[] = [];
  const ar: AllreduceRow[] = [];
  const nccl: NcclRow[] = [];
  let opNames = new Set<string>();

  for (let i = first + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const cells = cellsOf(raw);
    const lineNo = i + 1;
    if (cells.length < header.length) {
      throw new InputError({
        file,
        path: `line ${lineNo}`,
        message: `expected ${header.length} comma-separated values (as in the header), found ${cells.length}`,
      });
    }
    const num = (name: string, opts: { integer?: boolean; positive?: boolean; min?: number } = {}): number => {
      const s = cells[col(name)];
      const v = Number(s);
      const bad =
        s === "" || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) ||
        (opts.positive && v <= 0) || (opts.min !== undefined && v < opts.min);
      if (bad) {
        const what = opts.integer ? (opts.positive ? "a positive integer" : "a non-negative integer") : "a positive number";
        throw new InputError({ file, path: `line ${lineNo}`, message: `column ${name}: expected ${what}, got "${s}"` });
      }
      return v;
    };
    const str = (name: string): string => {
      const s = cells[col(name)];
      if (s === "") throw new InputError({ file, path: `line ${lineNo}`, message: `column ${name}: expected a value, got an empty cell` });
      return s;
    };
    if (opCol >= 0) opNames.add(cells[opCol]);
    if (kind0 === "gemm") {
      gemm.push({
        dtype: str("gemm_dtype"),
        m: num("m", { integer: true, positive: true }),
        n: num("n", { integer: true, positive: true }),
        k: num("k", { integer: true, positive: true }),
        latencyMs: num("latency", { positive: true }),
        line: lineNo,
      });
    } else if (kind0 === "allreduce") {
      ar.push({
        dtype: str("allreduce_dtype"),
        numGpus: num("num_gpus", { integer: true, positive: true }),
        messageElems: num("message_size", { integer: true, positive: true }),
        latencyMs: num("latency", { positive: true }),
        backend: backendCol >= 0 ? cells[backendCol] : "",
        line: lineNo,
      });
    } else if (kind0 === "nccl") {
      nccl.push({
        op: str("op_name"),
        dtype: str("nccl_dtype"),
        numGpus: num("num_gpus", { integer: true, positive: true }),
        messageElems: num("message_size", { integer: true, positive: true }),
        latencyMs: num("latency", { positive: true }),
        line: lineNo,
      });
    } else {
      attn.push({
        batch: num("batch_size", { integer: true, positive: true }),
        isl: num("isl", { integer: true, positive: true }),
        heads: num("num_heads", { integer: true, positive: true }),
        kvHeads: num("num_key_value_heads", { integer: true, positive: true }),
        headDim: num("head_dim", { integer: true, positive: true }),
        attnDtype: str("attn_dtype"),
        kvDtype: str("kv_cache_dtype"),
        step: num("step", { integer: true, min: 0 }),
        latencyMs: num("latency", { positive: true }),
        line: lineNo,
      });
    }
  }

  const rows = gemm.length + attn.length + ar.length + nccl.length;
  if (rows === 0) throw new InputError({ file, message: "no data rows after the header; expected at least one row" });
  if (kind0 === "gemm") return { kind: "gemm", rows: gemm };
  if (kind0 === "allreduce") return { kind: "allreduce", rows: ar };
  if (kind0 === "nccl") return { kind: "nccl", rows: nccl };

  // Context vs generation attention.
  opNames = new Set([...opNames].map((s) => s.toLowerCase()));
  let kind: "context" | "generation";
  if (opNames.size === 1 && opNames.has("context_attention")) kind = "context";
  else if (opNames.size === 1 && opNames.has("generation_attention")) kind = "generation";
  else if (/generation/i.test(basename(file))) kind = "generation";
  else if (/context/i.test(basename(file))) kind = "context";
  else kind = attn.every((r) => r.isl === 1) && attn.some((r) => r.step > 0) ? "generation" : "context";
  return { kind, rows: attn };
}

/** Reads and parses an AIC kernel table from disk (InputError for a missing file or bad content). */
export function readKernelCsv(path: string): KernelTable {
  if (!existsSync(path)) throw new InputError({ file: path, message: "file does not exist" });
  if (statSync(path).isDirectory()) throw new InputError({ file: path, message: "expected a CSV file, found a directory" });
  return parseKernelCsv(readFileSync(path, "utf8"), path);
}
