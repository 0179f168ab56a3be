/**
 * The policy registry: `createRouter(config, numReplicas, rng)` builds the router for
 * `config.policy`. Every random draw a policy makes comes from `rng` (give it its own stream,
 * e.g. `rngStream(seed, "router")`); policies that need none never touch it.
 */
import type { RouterPolicy } from "../../config/types.js";
import type { Rng } from "../rng.js";
import { BucketRouter } from "./bucket.js";
import { CacheAwareRouter } from "./cache-aware.js";
import { LeastLoadRouter } from "./least-load.js";
import { PowerOfTwoRouter } from "./power-of-two.js";
import { RandomRouter } from "./random.js";
import { RoundRobinRouter } from "./round-robin.js";
import type { Router, RouterConfig } from "./types.js";

type Factory = (config: RouterConfig, numReplicas: number, rng: Rng) => Router;

export const ROUTER_FACTORIES: Readonly<Record<RouterPolicy, Factory>> = {
  round_robin: (_c, n) => new RoundRobinRouter(n),
  random: (_c, n, rng) => new RandomRouter(n, rng),
  least_load: (_c, n) => new LeastLoadRouter(n),
  cache_aware: (c, n) => new CacheAwareRouter(c, n),
  power_of_two: (_c, n, rng) => new PowerOfTwoRouter(n, rng),
  bucket: (c, n, rng) => new BucketRouter(c, n, rng),
};

/** Every policy name, in registry order. */
export const ROUTER_POLICIES = Object.keys(ROUTER_FACTORIES) as RouterPolicy[];

/** A fresh router for `config.policy` over `numReplicas` replicas (indices 0..numReplicas-1). */
export function createRouter(config: RouterConfig, numReplicas: number, rng: Rng): Router {
  return ROUTER_FACTORIES[config.policy](config, numReplicas, rng);
}

export { resolveRouterConfig } from "./router-config.js";
