import type { CliIo } from "../io.js";
import { notYet } from "./not-yet.js";
export async function traceStatsCommand(_file: string, _opts: Record<string, unknown>, _io: CliIo): Promise<void> {
  notYet("trace stats");
}
export async function traceHitCurveCommand(_file: string, _opts: Record<string, unknown>, _io: CliIo): Promise<void> {
  notYet("trace hit-curve");
}
