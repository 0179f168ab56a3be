/** SGLang `policies/random.rs`: uniform over healthy workers (all, here). One draw per route. */
import type { Rng } from "../rng.js";
import { BaseRouter } from "./base-router.js";
import type { RouteRequest } from "./types.js";

export class RandomRouter extends BaseRouter {
  readonly policy = "random" as const;
  private readonly rng: Rng;

  constructor(numWorkers: number, rng: Rng) {
    super(numWorkers);
    this.rng = rng;
  }

  route(_req: RouteRequest, _nowUs: number): number {
    return this.dispatch(this.rng.int(this.numWorkers));
  }
}
