/**
 * Reads measured end-to-end serving rows in AIConfigurator's silicon CSV format
 * (system, backend, model_path, gemm_quant_mode, isl, osl, tp_size, concurrency, silicon_ttft_ms,
 * silicon_tpot_ms, ...). Malformed files give one InputError naming the file, the line and the column.
 */
import { existsSync, readFileSync } from "node:fs";
import { InputError, type InputIssue } from "../errors.js";
import { splitCsvLine } from "./csv-line.js";

export interface E2eRow {
  /** 1-based line in the file. */
  line: number;
  id: string;
  system: string;
  backend: string;
  backendVersion: string;
  model: string;
  /** `precision` column (AIConfigurator: the serving precision, e.g. "fp8"); empty when unrecorded. */
  precision: string;
  gemmQuant: string;
  isl: number;
  osl: number;
  tp: number;
  concurrency: number;
  /** `batch_size`: the engine's maximum batch the row was deployed with (NaN when absent). */
  batchSize: number;
  ttftMs: number;
  tpotMs: number;
}

const REQUIRED = ["system", "backend", "model_path", "gemm_quant_mode", "isl", "osl", "tp_size", "concurrency", "silicon_ttft_ms", "silicon_tpot_ms"] as const;

export function readE2eCsv(file: string): E2eRow[] {
  if (!existsSync(file)) throw new InputError({ file, message: "file does not exist" });
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError({ file, path: "line 1", message: `expected the columns ${REQUIRED.join(", ")}; missing ${missing.join(", ")}` });
  }
  const col = (name: string) => header.indexOf(name);
  const rows: E2eRow[] = [];
  const issues: InputIssue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i];
    if (text.trim() === "") continue;
    const f = splitCsvLine(text);
    if (f.length < header.length) {
      issues.push({ file, path: `line ${i + 1}`, message: `expected ${header.length} fields, found ${f.length}` });
      continue;
    }
    const num = (name: string, positive = true): number => {
      const v = Number(f[col(name)]);
      if (f[col(name)].trim() === "" || !Number.isFinite(v) || (positive && v <= 0)) {
        issues.push({ file, path: `line ${i + 1}, column ${name}`, message: `expected a positive number, got "${f[col(name)]}"` });
        return NaN;
      }
      return v;
    };
    const get = (name: string) => (col(name) >= 0 ? f[col(name)].trim() : "");
    // An empty concurrency stays NaN (the row is skipped, not guessed): in AIConfigurator's schema
    // batch_size is the engine's max batch size, and its benchmark sweeps several client
    // concurrencies per deployment (generator bench_run.sh.j2), so batch_size is not the client count.
    const row: E2eRow = {
      line: i + 1,
      id: get("id") || `line-${i + 1}`,
      system: get("system"),
      backend: get("backend"),
      backendVersion: get("backend_version"),
      model: get("model_path"),
      precision: get("precision"),
      gemmQuant: get("gemm_quant_mode"),
      isl: num("isl"),
      osl: num("osl"),
      tp: num("tp_size"),
      concurrency: get("concurrency") === "" ? NaN : num("concurrency"),
      batchSize: get("batch_size") === "" ? NaN : num("batch_size"),
      ttftMs: num("silicon_ttft_ms"),
      tpotMs: num("silicon_tpot_ms"),
    };
    rows.push(row);
  }
  if (issues.length > 0) throw new InputError(issues.slice(0, 20));
  if (rows.length === 0) throw new InputError({ file, message: "no data rows" });
  return rows;
}
