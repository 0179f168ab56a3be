/**
 * Requests a deployment can never serve, known before simulating: a request whose prompt and
 * answer together need more KV than one replica's GPU pool holds is rejected on arrival (the
 * engine cannot schedule it; SGLang aborts such requests). `simulate` turns any into an input
 * error instead of reporting percentiles over the requests that happened to fit.
 */
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { RequestTable } from "../sim/workload/request-table.js";

export interface Unservable {
  /** Requests longer than the KV pool. */
  count: number;
  /** Index of the longest of them (prompt + answer). */
  longest: number;
  poolTokens: number;
}

/** The requests of `table` longer than `dep`'s KV pool (the replica's rejection rule), or undefined when none is. */
export function unservableRequests(dep: ResolvedDeployment, table: RequestTable): Unservable | undefined {
  const pool = dep.memory.kvPoolTokens;
  let count = 0;
  let longest = -1;
  let longestLen = -1;
  for (let i = 0; i < table.count; i++) {
    const len = table.inputTokens[i] + table.outputTokens[i];
    if (len > pool) {
      count++;
      if (len > longestLen) {
        longest = i;
        longestLen = len;
      }
    }
  }
  return count > 0 ? { count, longest, poolTokens: pool } : undefined;
}
