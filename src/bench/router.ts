/**
 * Router throughput: a synthetic 100k-request stream of multi-turn conversations that share system
 * prompts (prefix-chained block ids, ~30 blocks a prompt) routed over 8 workers by every policy,
 * with completions (each request finishes 64 arrivals later), load polls and housekeeping as the
 * cluster simulator would deliver them. Reports routes/s. The stream is built before timing.
 */
import { createRouter, ROUTER_POLICIES } from "../sim/router/create-router.js";
import { resolveRouterConfig } from "../sim/router/router-config.js";
import type { RouteRequest, RouterConfig } from "../sim/router/types.js";
import { rngStream } from "../sim/rng.js";
import type { BenchFigure, BenchSection } from "./figure.js";

const REQUESTS = 100_000;
const WORKERS = 8;
const BLOCK = 64;
const IN_FLIGHT = 64;
const ARRIVAL_GAP_US = 10_000; // 100 requests/s

interface Stream {
  inputTokens: Int32Array;
  start: Int32Array;
  ids: Int32Array;
}

function buildStream(): Stream {
  const rng = rngStream(1, "bench-router");
  let nextId = 0;
  const systems = Array.from({ length: 20 }, () => Array.from({ length: 8 }, () => nextId++));
  const convs: number[][] = [];
  const inputTokens = new Int32Array(REQUESTS);
  const start = new Int32Array(REQUESTS + 1);
  const ids: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const c = rng.int(2000);
    let prompt = convs[c];
    if (prompt === undefined || prompt.length > 56) prompt = systems[rng.int(systems.length)].slice();
    const grow = 2 + rng.int(5);
    for (let k = 0; k < grow; k++) prompt.push(nextId++);
    convs[c] = prompt;
    for (const id of prompt) ids.push(id);
    start[i + 1] = ids.length;
    inputTokens[i] = prompt.length * BLOCK - rng.int(BLOCK);
  }
  return { inputTokens, start, ids: Int32Array.from(ids) };
}

function routeAll(config: RouterConfig, s: Stream): number {
  const router = createRouter(config, WORKERS, rngStream(1, "router"));
  const req: RouteRequest = { index: 0, inputTokens: 0, blockSize: BLOCK, hashIds: s.ids, hashStart: 0, hashEnd: 0 };
  const ring = new Int32Array(IN_FLIGHT);
  const loads = new Float64Array(WORKERS);
  let housekeepingUs = router.housekeeping(0);
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const nowUs = i * ARRIVAL_GAP_US;
    if (i >= IN_FLIGHT) router.onComplete(ring[i % IN_FLIGHT], nowUs);
    if (i % 1000 === 0) {
      for (let w = 0; w < WORKERS; w++) loads[w] = (i * 7 + w * 13) % 101;
      router.onLoadPoll(loads, nowUs);
    }
    while (housekeepingUs <= nowUs) housekeepingUs = router.housekeeping(housekeepingUs);
    req.index = i;
    req.inputTokens = s.inputTokens[i];
    req.hashStart = s.start[i];
    req.hashEnd = s.start[i + 1];
    ring[i % IN_FLIGHT] = router.route(req, nowUs);
  }
  return performance.now() - t0;
}

const section: BenchSection = {
  title: "Router policies (100k routes, 8 workers)",
  run: async () => {
    const stream = buildStream();
    const figures: BenchFigure[] = [];
    // Mooncake (12k requests) must route in well under 100 ms: >= 240k routes/s leaves a 2x margin.
    const cases: [string, RouterConfig, number][] = ROUTER_POLICIES.map((policy) => [policy, resolveRouterConfig({ policy }), 240_000]);
    // The default cap (2^26 tokens a worker) never binds here; this stress case evicts every 60 s of
    // the 1000 s simulated, most of the tree each time: 12k routes in 100 ms at least.
    cases.push(["cache_aware, maxTreeSize 2^20, eviction 60 s,", resolveRouterConfig({ policy: "cache_aware", maxTreeSize: 1 << 20, evictionIntervalS: 60 }), 120_000]);
    for (const [name, config, target] of cases) {
      routeAll(config, stream); // warm-up: JIT and typed-array growth
      const ms = Math.min(routeAll(config, stream), routeAll(config, stream), routeAll(config, stream));
      const routesPerS = (REQUESTS / ms) * 1000;
      figures.push({ name: `${name} routes/s`, value: routesPerS, unit: "routes/s", target: `>= ${target}`, ok: routesPerS >= target });
    }
    return figures;
  },
};

export default section;
