/**
 * Child process of the simulation memory bench (run by `simulate.ts`, not imported):
 *
 *   node --expose-gc dist/bench/simulate-memory.js <requests> <ratePerS>
 *
 * Builds the chat workload, then measures what one simulation of it on one replica keeps: the heap
 * and typed-array growth from just before to just after `runSimulation` (after a full GC, with the
 * result still referenced), minus the per-request outcome and latency arrays the result holds by
 * design. Prints one JSON line. A process of its own so that its peak RSS is this run's.
 */
import { readFileSync } from "node:fs";
import type { SimulationResult } from "../sim/cluster/summary.js";
import { estimatorFor, runSimulation } from "../runner/prepare.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { BENCH_SEED, benchDeployment, benchTable, chatWorkload, QWEN3_32B_H100_TP2 } from "./sim-cases.js";

export interface MemoryChildResult {
  requests: number;
  peakInFlight: number;
  /** Process CPU seconds of the simulation. */
  cpuS: number;
  simulatedS: number;
  /** Typed arrays of the request table (the input), bytes. */
  tableBytes: number;
  /** Per-request arrays the result holds (outcomes and sorted latency samples), bytes. */
  perRequestBytes: number;
  /** Heap + array buffers retained by the simulation beyond `perRequestBytes`, bytes. */
  stateBytes: number;
  /** Peak resident set of this process (table generation included), bytes. */
  peakRssBytes: number;
}

function tableBytes(t: RequestTable): number {
  return [t.arrivalUs, t.after, t.afterDelayUs, t.inputTokens, t.outputTokens, t.hashStart, t.hashIds, t.sessionId]
    .reduce((s, a) => s + a.byteLength, 0);
}

/**
 * Peak resident set of this process, bytes: Linux VmHWM (reset by exec), not `maxRSS`, which a
 * child inherits from the process that spawned it.
 */
function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

function perRequestBytes(r: SimulationResult): number {
  let b = 0;
  for (const a of Object.values(r.outcomes)) b += a.byteLength;
  for (const a of Object.values(r.samples)) b += a.byteLength;
  return b;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  const requests = Number(process.argv[2]);
  const rate = Number(process.argv[3]);
  const dep = benchDeployment(QWEN3_32B_H100_TP2);
  const table = await benchTable(chatWorkload(requests, rate));
  const estimator = estimatorFor(dep);
  gc();
  gc();
  const m0 = process.memoryUsage();
  const c0 = process.cpuUsage();
  const res = runSimulation(dep, table, BENCH_SEED, { estimator });
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  gc();
  gc();
  const m1 = process.memoryUsage();
  const per = perRequestBytes(res);
  const out: MemoryChildResult = {
    requests,
    peakInFlight: res.peakInFlight,
    cpuS,
    simulatedS: res.summary.simulatedS,
    tableBytes: tableBytes(table),
    perRequestBytes: per,
    stateBytes: m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers) - per,
    peakRssBytes: peakRssBytes(),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
