/** Rescaling a workload's load for the rate search. */
import type { RequestTable } from "./request-table.js";

/**
 * The same requests arriving `rateFactor` times as fast: open-loop arrival times are divided by
 * the factor. Think times (`afterDelayUs`) are user behaviour and stay as they are; the long-run
 * request rate of a session workload is set by the session starts, so it still scales by the
 * factor. Closed-loop tables (everything at t = 0) are unchanged. The result shares every array
 * except `arrivalUs` with the input.
 * @param rateFactor > 0; 2 doubles the request rate
 */
export function scaleArrivals(table: RequestTable, rateFactor: number): RequestTable {
  const arrivalUs = new Float64Array(table.count);
  const src = table.arrivalUs;
  for (let i = 0; i < table.count; i++) {
    const p = table.after[i];
    arrivalUs[i] = p < 0 || p >= i ? src[i] / rateFactor : arrivalUs[p] + table.afterDelayUs[i];
  }
  return { ...table, arrivalUs };
}
