/**
 * Runs adaptive searches (binary searches over rates and replica counts) on the worker pool.
 * Each search is a generator that yields the trials it needs next (one, or several that may run
 * together, e.g. one per confirmation seed) and receives their results. The driver advances all
 * searches in rounds: it collects the next trials of every search, runs the batch on the executor
 * (in parallel), and resumes each search with its results. The order of trials, and so every
 * result, depends only on the inputs, never on thread timing. A trial already answered (resumed
 * from trials.jsonl, or asked for twice) is never simulated again.
 */
import type { TrialLog } from "../results/trial-log.js";
import type { Executor } from "../worker/executor.js";
import type { TrialResult, TrialTask } from "../runner/trial.js";

export type TrialGen<T> = Generator<readonly TrialTask[], T, TrialResult[]>;

/** Runs one trial inside a search: `const r = yield* one(task)`. */
export function* one(task: TrialTask): TrialGen<TrialResult> {
  const [r] = yield [task];
  return r;
}

/** Runs several trials together inside a search; results in the order of `tasks`. */
export function* all(tasks: readonly TrialTask[]): TrialGen<TrialResult[]> {
  if (tasks.length === 0) return [];
  return yield tasks;
}

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

  /** True once --max-runs kept a trial from running: the search's answer is partial. */
  get cut(): boolean {
    return this.capped > 0;
  }

  /**
   * Result of a trial the cap prevented: `capped`, a miss with no figures. Searches stop on it and
   * never turn it into a point. Not cached, so a resumed run simulates it.
   */
  private cappedResult(task: TrialTask): TrialResult {
    return {
      id: task.id, fits: true, requests: 0, completed: 0, rejected: 0, offeredRps: 0, throughputRps: 0, outputTokensPerS: 0,
      simulatedS: 0, latency: { ttftMs: Infinity, tpotMs: Infinity }, prefixHitRate: 0, costUsdPerHour: 0, usdPerMillionTokens: Infinity,
      sloMet: false, capped: true, note: "not simulated: --max-runs reached",
    };
  }

  /** Runs every search to completion; returns their results in the order given. */
  async runAll<T>(gens: TrialGen<T>[]): Promise<T[]> {
    const { cache } = this.opts;
    const capped = new Map<string, TrialResult>();
    const known = (t: TrialTask) => cache.has(t.id) || capped.has(t.id);
    const answer = (t: TrialTask): TrialResult => cache.get(t.id) ?? capped.get(t.id)!;
    const state = gens.map((g) => ({ g, it: g.next() as IteratorResult<readonly TrialTask[], T> }));
    for (;;) {
      // Answer what the cache knows without a round trip.
      for (const s of state) {
        while (!s.it.done && s.it.value.every(known)) {
          for (const t of s.it.value) {
            if (!cache.has(t.id)) continue;
            this.reused++;
            this.used.add(t.id);
          }
          s.it = s.g.next(s.it.value.map(answer));
        }
      }
      const pending = state.filter((s) => !s.it.done);
      if (pending.length === 0) break;
      const batch: TrialTask[] = [];
      const seen = new Set<string>();
      for (const s of pending) {
        for (const t of s.it.value as readonly TrialTask[]) {
          if (!seen.has(t.id) && !known(t)) {
            seen.add(t.id);
            batch.push(t);
          }
        }
      }
      const allowed = this.opts.maxRuns === undefined ? batch.length : Math.max(0, this.opts.maxRuns - this.runs);
      const run = batch.slice(0, allowed);
      for (const t of batch.slice(allowed)) {
        capped.set(t.id, this.cappedResult(t));
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
      for (const s of pending) s.it = s.g.next((s.it.value as readonly TrialTask[]).map(answer));
    }
    return state.map((s) => s.it.value as T);
  }
}
