/**
 * Runs adaptive searches (binary searches over rates and replica counts) on the worker pool.
 * Each search is a generator that yields the trial it needs next and receives its result. The
 * driver advances all searches in rounds: it collects the next trial of every search, runs the
 * batch on the executor (in parallel), and resumes each search with its result. The order of
 * trials, and so every result, depends only on the inputs, never on thread timing.
 */
import type { TrialLog } from "../results/trial-log.js";
import type { Executor } from "../worker/executor.js";
import type { TrialResult, TrialTask } from "../runner/trial.js";

export type TrialGen<T> = Generator<TrialTask, T, TrialResult>;

export interface DriverOptions {
  executor: Executor<TrialTask, TrialResult>;
  /** Results already known (resumed from trials.jsonl), by trial id. */
  cache: Map<string, TrialResult>;
  log?: TrialLog<TrialResult>;
  /** Cap on new simulations for the whole run. */
  maxRuns?: number;
  /** Called after each finished simulation (progress). */
  onRun?: (task: TrialTask, result: TrialResult) => void;
}

export class TrialDriver {
  /** New simulations run by this driver. */
  runs = 0;
  /** Trials answered from the cache (resume or a repeated trial). */
  reused = 0;
  /** Trials not run because of --max-runs. */
  capped = 0;
  /** Distinct trials this run used (simulated now or taken from an earlier attempt). */
  readonly used = new Set<string>();

  constructor(private readonly opts: DriverOptions) {}

  /** Result of a trial the cap prevented; counts as a miss. */
  private cappedResult(task: TrialTask): TrialResult {
    return {
      id: task.id, fits: true, requests: 0, completed: 0, rejected: 0, offeredRps: 0, throughputRps: 0, outputTokensPerS: 0,
      simulatedS: 0, latency: { ttftMs: Infinity, tpotMs: Infinity }, prefixHitRate: 0, costUsdPerHour: 0, usdPerMillionTokens: Infinity,
      sloMet: false, note: "not simulated: --max-runs reached",
    };
  }

  /** Runs every search to completion; returns their results in the order given. */
  async runAll<T>(gens: TrialGen<T>[]): Promise<T[]> {
    const { cache } = this.opts;
    const state = gens.map((g) => ({ g, it: g.next() as IteratorResult<TrialTask, T> }));
    for (;;) {
      // Answer what the cache knows without a round trip.
      for (const s of state) {
        while (!s.it.done && cache.has(s.it.value.id)) {
          this.reused++;
          this.used.add(s.it.value.id);
          s.it = s.g.next(cache.get(s.it.value.id)!);
        }
      }
      const pending = state.filter((s) => !s.it.done);
      if (pending.length === 0) break;
      const batch: TrialTask[] = [];
      const seen = new Set<string>();
      for (const s of pending) {
        const t = s.it.value as TrialTask;
        if (!seen.has(t.id)) {
          seen.add(t.id);
          batch.push(t);
        }
      }
      const allowed = this.opts.maxRuns === undefined ? batch.length : Math.max(0, this.opts.maxRuns - this.runs);
      const run = batch.slice(0, allowed);
      for (const t of batch.slice(allowed)) {
        cache.set(t.id, this.cappedResult(t));
        this.capped++;
      }
      if (run.length > 0) {
        const results = await this.opts.executor.run(run, (task, result) => {
          this.opts.log?.append(result);
          this.opts.onRun?.(task, result);
        });
        for (const [id, r] of results) {
          cache.set(id, r);
          this.used.add(id);
        }
        this.runs += run.length;
      }
      for (const s of pending) s.it = s.g.next(cache.get((s.it.value as TrialTask).id)!);
    }
    return state.map((s) => s.it.value as T);
  }
}
