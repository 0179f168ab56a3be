/**
 * A replica's scheduling parts wired by hand (no event loop, no estimator), so a test can put
 * requests in given states into the queues, form one batch and read what the scheduler decided.
 */
import type { DeploymentInput } from "../../../src/config/types.js";
import { HiCacheController } from "../../../src/sim/cache/hicache-controller.js";
import { RadixCache } from "../../../src/sim/cache/radix-cache.js";
import type { ResolvedDeployment } from "../../../src/sim/deployment/resolve.js";
import { KvPool } from "../../../src/sim/engine/kv-pool.js";
import { PrefixCache } from "../../../src/sim/engine/prefix-cache.js";
import { newReplicaStats } from "../../../src/sim/engine/replica-stats.js";
import { loadRow, Req, ReqPhase } from "../../../src/sim/engine/request.js";
import { SchedulerQueues, type SchedulerContext } from "../../../src/sim/engine/scheduler.js";
import type { RequestTable } from "../../../src/sim/workload/request-table.js";
import { deployment, tableOf, type RowSpec } from "../../helpers/sim.js";

export interface Harness extends SchedulerContext {
  /** Request objects for the table's rows, as the cluster creates them on arrival. */
  reqs: Req[];
}

/**
 * Parts for a deployment whose GPU KV pool holds exactly `poolTokens` tokens (blocks of 16 tokens),
 * with a host tier of `l2CapacityBlocks` blocks in the tree when given (no copy channels: a test
 * places host-only nodes itself).
 */
export function harness(input: Partial<DeploymentInput>, poolTokens: number, rows: RowSpec[], l2CapacityBlocks = 0): Harness {
  const blockSize = 16;
  const dep: ResolvedDeployment = deployment(input, (d) => {
    (d.memory as { kvPoolTokens: number }).kvPoolTokens = poolTokens;
  });
  const table = tableOf(rows, blockSize);
  const stats = newReplicaStats();
  const cache = new RadixCache({
    blockSize, l1CapacityBlocks: Math.floor(poolTokens / blockSize), l2CapacityBlocks, evictionPolicy: "lru", writeBackOnEvict: false,
  });
  const kv = new KvPool(cache, dep, stats);
  const noIo = { scheduleIo: () => { throw new Error("no copies expected without a host tier"); } };
  const hicache = new HiCacheController(0, dep, cache, table, {}, kv, noIo, stats);
  const prefix = new PrefixCache(cache, table, kv, hicache, stats, dep.engine.enablePrefixCaching);
  const reqs = rows.map((_, i) => newReq(table, i));
  return { id: 0, dep, table, queues: new SchedulerQueues(), cache, kv, prefix, hicache, stats, reqs };
}

function newReq(table: RequestTable, i: number): Req {
  const r = new Req();
  loadRow(r, table, i, 0);
  r.fillTarget = r.inputTokens;
  return r;
}

/**
 * Puts `r` in the running queue as a request that has generated `out` tokens and holds
 * `heldTokens` of KV outside the tree (its prompt plus the decoded tokens, as decoding leaves it).
 */
export function running(h: Harness, r: Req, out: number, heldTokens: number): Req {
  r.phase = ReqPhase.Running;
  r.filled = r.fillTarget;
  r.out = out;
  r.admittedOnce = true;
  h.kv.alloc(r, heldTokens);
  h.queues.running.push(r);
  return r;
}

/** Tokens each batch member computes this step, by table row. */
export function stepTokens(h: Harness): Record<number, number> {
  return Object.fromEntries(h.queues.batch.map((r) => [r.idx, r.stepTokens]));
}

export const rows = (q: [input: number, output: number][]): RowSpec[] => q.map(([input, output]) => ({ input, output }));
