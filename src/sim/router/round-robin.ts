/**
 * SGLang `policies/round_robin.rs`: an atomic counter, `healthy[counter++ % |healthy|]`. Ignores
 * load and prompt. All replicas are healthy in the simulator.
 */
import { BaseRouter } from "./base-router.js";
import type { RouteRequest } from "./types.js";

export class RoundRobinRouter extends BaseRouter {
  readonly policy = "round_robin" as const;
  private counter = 0;

  route(_req: RouteRequest, _nowUs: number): number {
    const w = this.counter % this.numWorkers;
    this.counter++;
    return this.dispatch(w);
  }
}
