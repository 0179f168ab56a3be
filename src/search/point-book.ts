/**
 * Every deployment the search evaluated, as a point, once (by deployment id, the earliest stage
 * kept), with what is known of its capacity: the highest rate it was seen to meet the SLO at, a
 * measurement once the confirmation stage made one, and otherwise an estimate.
 */
import type { Deployment } from "../config/types.js";
import type { LatencyCdf, Point } from "../results/point.js";
import type { TrialResult } from "../runner/trial.js";
import { RATE_RESOLUTION } from "./capacity.js";
import { pointId, withReplicas, type SearchContext } from "./context.js";
import { prepareDeployment } from "../runner/prepare.js";

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The deployment without its replica count and router: what a per-replica rate belongs to. */
export function configKey(d: Deployment): string {
  const { replicas: _r, router: _p, ...rest } = d;
  return JSON.stringify(rest);
}

/** The point of a search trial of `d` at the planned demand. */
export function pointFromTrial(stage: 1 | 2 | 3, d: Deployment, r: TrialResult, planRps: number): Point {
  const p: Point = {
    id: pointId(d),
    stage,
    deployment: d,
    latency: r.latency,
    capacityRps: r.sloMet ? r3(planRps) : 0,
    capacityEstimated: true,
    costUsdPerHour: r.costUsdPerHour,
    usdPerMillionTokens: r.usdPerMillionTokens,
    prefixHitRate: r.prefixHitRate,
    sloMet: r.sloMet,
    confirmedSeeds: [],
  };
  if (r.earlyStopped) p.earlyStopped = true;
  if (r.cdf) p.cdf = r.cdf as LatencyCdf;
  if (r.note) p.note = r.note;
  return p;
}

/** The result of a trial without its id: two equal fingerprints are the same simulation. */
function fingerprint(r: TrialResult): string {
  const { id: _id, ...rest } = r;
  return JSON.stringify(rest);
}

export class PointBook {
  private readonly byId = new Map<string, Point>();
  /** The point of each distinct search-trial result (deployments that simulate identically are one point). */
  private readonly byResult = new Map<string, Point>();
  /** Deployments that were found to be another point (`equivalentIds`), by their own id. */
  private readonly aliases = new Map<string, Point>();
  /** Highest rate each point was seen to meet the SLO at on the search seed, req/s. */
  private readonly passRps = new Map<string, number>();
  /** Points whose capacity was measured. */
  private readonly measured = new Set<string>();

  constructor(private readonly ctx: SearchContext) {}

  /**
   * Records the search trial of `d` at the planned demand as a point and returns it; a repeated
   * deployment returns the point already recorded. A deployment whose trial is identical to an
   * earlier one's, cost included (a batch cap never reached, an eviction policy that never had to
   * choose), is that point: it is listed in its `equivalentIds` and the earlier point is returned,
   * so the frontier does not hold (and confirm) the same simulation twice. A trial that never ran
   * (`--max-runs`) gives no point.
   */
  add(stage: 1 | 2 | 3, d: Deployment, r: TrialResult): Point | undefined {
    if (r.capped) return undefined;
    const id = pointId(d);
    const known = this.byId.get(id) ?? this.aliases.get(id);
    if (known) return known;
    const key = fingerprint(r);
    const same = this.byResult.get(key);
    if (same) {
      (same.equivalentIds ??= []).push(id);
      this.aliases.set(id, same);
      return same;
    }
    const p = pointFromTrial(stage, d, r, this.ctx.planRps);
    this.byId.set(id, p);
    this.byResult.set(key, p);
    if (r.sloMet) this.passRps.set(id, this.ctx.planRps);
    return p;
  }


  /** Cost per hour of one replica of `d` (its GPUs and per-replica tiers), from the catalog. */
  costPerReplica(d: Deployment): number {
    return prepareDeployment(withReplicas(d, 1), undefined, { allowNoFit: true, prices: this.ctx.prices }).costUsdPerHour;
  }

  get(id: string): Point | undefined {
    return this.byId.get(id);
  }

  /** Deployments collapsed into an identical point. */
  get collapsed(): number {
    return this.aliases.size;
  }

  has(d: Deployment): boolean {
    return this.byId.has(pointId(d)) || this.aliases.has(pointId(d));
  }

  /** Every point, in the order they were first evaluated. */
  all(): Point[] {
    return [...this.byId.values()];
  }

  /** A measured capacity (from the confirmation stage). */
  setMeasured(id: string, capacityRps: number, atLeast = false): void {
    const p = this.byId.get(id)!;
    p.capacityRps = r3(capacityRps);
    p.capacityEstimated = false;
    if (atLeast) p.capacityAtLeast = true;
    this.measured.add(id);
  }

  isMeasured(id: string): boolean {
    return this.measured.has(id);
  }

  /**
   * Fills in the capacity of every unmeasured point: for one that meets the SLO, the highest rate it
   * met it at (a lower bound); for one that misses it, its configuration's best per-replica rate
   * (`perReplicaHint`, or what the configuration's SLO-meeting clusters showed) times its replicas,
   * kept below the planned demand by at least the rate resolution.
   */
  finishEstimates(perReplicaHint: (d: Deployment) => number | undefined = () => undefined): void {
    const perReplica = new Map<string, number>();
    for (const p of this.byId.values()) {
      if (!p.sloMet) continue;
      const k = configKey(p.deployment);
      const rate = (this.measured.has(p.id) ? p.capacityRps : this.passRps.get(p.id) ?? this.ctx.planRps) / p.deployment.replicas;
      perReplica.set(k, Math.max(perReplica.get(k) ?? 0, rate));
    }
    const below = this.ctx.planRps * (1 - RATE_RESOLUTION);
    for (const p of this.byId.values()) {
      if (this.measured.has(p.id)) continue;
      p.capacityEstimated = true;
      if (p.sloMet) {
        p.capacityRps = r3(this.passRps.get(p.id) ?? this.ctx.planRps);
        continue;
      }
      const per = perReplica.get(configKey(p.deployment)) ?? perReplicaHint(p.deployment);
      p.capacityRps = r3(per === undefined ? below : Math.min(below, per * p.deployment.replicas));
    }
  }
}
