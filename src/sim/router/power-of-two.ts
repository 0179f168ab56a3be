/**
 * SGLang `policies/power_of_two.rs` (@61c660a): two distinct random workers,
 * `i1 = rand(n)`, `i2 = (i1 + 1 + rand(n - 1)) % n`; their loads are the LoadMonitor's cached
 * `/get_load` values when both are present (we have all or none: present after the first poll,
 * then as stale as the poll interval), otherwise both router-local in-flight counts; the first
 * sample wins ties (`l1 <= l2 ? w1 : w2`). One worker: chosen without drawing.
 */
import { InvariantError } from "../../errors.js";
import type { Rng } from "../rng.js";
import { BaseRouter } from "./base-router.js";
import type { RouteRequest } from "./types.js";

export class PowerOfTwoRouter extends BaseRouter {
  readonly policy = "power_of_two" as const;
  private readonly rng: Rng;
  /** Last polled load per worker (tokens: KV in use + queued input); valid once `hasPolled`. */
  readonly polledLoads: Float64Array;
  hasPolled = false;

  constructor(numWorkers: number, rng: Rng) {
    super(numWorkers);
    this.rng = rng;
    this.polledLoads = new Float64Array(numWorkers);
  }

  route(_req: RouteRequest, _nowUs: number): number {
    const n = this.numWorkers;
    if (n === 1) return this.dispatch(0);
    const i1 = this.rng.int(n);
    const i2 = (i1 + 1 + this.rng.int(n - 1)) % n;
    const loads = this.hasPolled ? this.polledLoads : this.inFlight;
    return this.dispatch(loads[i1] <= loads[i2] ? i1 : i2);
  }

  override onLoadPoll(loads: Float64Array, _nowUs: number): void {
    if (loads.length !== this.numWorkers) throw new InvariantError(`load poll has ${loads.length} loads for ${this.numWorkers} replicas`);
    this.polledLoads.set(loads);
    this.hasPolled = true;
  }
}
