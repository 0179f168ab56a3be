import type { CliIo } from "../io.js";
import { notYet } from "./not-yet.js";
export async function validateEstimatorCommand(_opts: Record<string, unknown>, _io: CliIo): Promise<void> {
  notYet("validate estimator");
}
