/**
 * `least_load`: the worker with the fewest router-local in-flight requests, ties to the lowest
 * index. Not a `--policy` of SGLang's router; it is the shortest-queue step that cache_aware takes
 * when imbalanced (`min_by_key(load)` over healthy workers), offered on its own as a baseline.
 */
import { argmin, BaseRouter } from "./base-router.js";
import type { RouteRequest } from "./types.js";

export class LeastLoadRouter extends BaseRouter {
  readonly policy = "least_load" as const;

  route(_req: RouteRequest, _nowUs: number): number {
    return this.dispatch(argmin(this.inFlight));
  }
}
