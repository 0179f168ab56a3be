/**
 * SGLang `policies/bucket.rs` (@b135ce8; the gateway offers it for PD prefill): each worker owns a
 * contiguous band of prompt lengths in characters (here: input tokens), re-cut periodically so each
 * band carries about the same total characters. Step by step as the Rust:
 *
 * - init: `gap = 4096 // n`, band i = [i*gap, (i+1)*gap - 1], the last band open-ended.
 * - route(c): over `charsPerWorker` (chars routed to each worker inside the window, as left by the
 *   previous request): if `(max - min) > abs && max > rel * min` (f32) -> argmin charsPerWorker (Rust:
 *   HashMap order among equal minima; here the lowest index); else the band containing c (binary
 *   search), none -> a random worker (unreachable: bands tile [0, inf)). Then: charsPerWorker[w] += c,
 *   drop window entries older than the period (`now - t > period`, lazily, only here), append (c, w).
 * - adjust (every `bucketAdjustIntervalS`, from `housekeeping`): skip if the window is empty;
 *   avg = floor(window chars / n); skip if old avg != 0 and old/2 <= avg <= 2*old (so a stationary
 *   workload is cut once); otherwise walk the window's lengths in ascending order, giving each worker
 *   lengths until their sum reaches avg; its upper bound is the length that crossed (or lower bound
 *   + avg when that length does not exceed the lower bound); the last worker is open-ended.
 *
 * The window period is the adjust interval (`Bucket::new(interval * 1000)` ms).
 */
import type { Rng } from "../rng.js";
import type { RouterConfig, RouteRequest } from "./types.js";
import { BaseRouter, isImbalanced, Periodic } from "./base-router.js";

/** SGLang `Bucket.l_max`: the initial bands split [0, 4096) evenly. */
export const BUCKET_INITIAL_SPAN = 4096;

export class BucketRouter extends BaseRouter {
  readonly policy = "bucket" as const;
  /** Band of worker i: [bandLo[i], bandHi[i]] in characters; the last bandHi is Infinity. */
  readonly bandLo: Float64Array;
  readonly bandHi: Float64Array;
  /** Characters routed to each worker by requests still in the window. */
  readonly charsPerWorker: Float64Array;
  /** Load-balance overrides taken (diagnostics). */
  overrides = 0;
  /** Re-cuts performed (adjusts not skipped). */
  recuts = 0;

  private readonly rng: Rng;
  private readonly absThreshold: number;
  private readonly relThreshold: number;
  private readonly periodUs: number;
  private readonly adjustTimer: Periodic;
  /** SGLang `bucket_load`: the per-band average at the last re-cut (0 = never cut). */
  private bucketLoad = 0;
  /** SGLang `load_total`: characters in the window. */
  private loadTotal = 0;

  // Window: a ring buffer of (chars, worker, arrival µs).
  private winChars = new Float64Array(1024);
  private winWorker = new Int32Array(1024);
  private winTimeUs = new Float64Array(1024);
  private winHead = 0;
  private winCount = 0;
  private scratch = new Float64Array(1024);

  constructor(config: RouterConfig, numWorkers: number, rng: Rng) {
    super(numWorkers);
    this.rng = rng;
    this.absThreshold = config.balanceAbsThreshold;
    this.relThreshold = config.balanceRelThreshold;
    this.periodUs = config.bucketAdjustIntervalS * 1e6;
    this.adjustTimer = new Periodic(config.bucketAdjustIntervalS);
    this.charsPerWorker = new Float64Array(numWorkers);
    this.bandLo = new Float64Array(numWorkers);
    this.bandHi = new Float64Array(numWorkers);
    const gap = Math.floor(BUCKET_INITIAL_SPAN / numWorkers);
    for (let i = 0; i < numWorkers; i++) {
      this.bandLo[i] = i * gap;
      this.bandHi[i] = i === numWorkers - 1 ? Infinity : (i + 1) * gap - 1;
    }
  }

  /** Characters currently in the window (SGLang `load_total`). */
  get windowChars(): number {
    return this.loadTotal;
  }

  /** Requests currently in the window. */
  get windowRequests(): number {
    return this.winCount;
  }

  route(req: RouteRequest, nowUs: number): number {
    const c = Math.max(0, req.inputTokens);
    const cpw = this.charsPerWorker;
    let min = cpw[0];
    let max = cpw[0];
    let minIdx = 0;
    for (let i = 1; i < cpw.length; i++) {
      const v = cpw[i];
      if (v < min) {
        min = v;
        minIdx = i;
      }
      if (v > max) max = v;
    }
    let w: number;
    if (isImbalanced(max, min, this.absThreshold, this.relThreshold)) {
      w = minIdx;
      this.overrides++;
    } else {
      w = this.findBand(c);
      if (w < 0) w = this.rng.int(this.numWorkers);
    }
    this.record(c, w, nowUs);
    return this.dispatch(w);
  }

  /** Worker whose band contains `chars` (SGLang `find_boundary`'s binary search), or -1. */
  findBand(chars: number): number {
    let left = 0;
    let right = this.numWorkers;
    while (left < right) {
      const mid = left + ((right - left) >> 1);
      if (chars < this.bandLo[mid]) right = mid;
      else if (chars > this.bandHi[mid]) left = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Re-cuts the bands when due (every `bucketAdjustIntervalS`); returns the next due time, µs. */
  override housekeeping(nowUs: number): number {
    if (this.adjustTimer.due(nowUs)) this.adjust();
    return this.adjustTimer.nextUs;
  }

  /** SGLang `adjust_boundary`, on the window as it stands (expiry is lazy, at routes only). */
  adjust(): void {
    const n = this.numWorkers;
    const len = this.winCount;
    if (len === 0) return;
    const avg = Math.floor(this.loadTotal / n);
    const old = this.bucketLoad;
    if (avg <= 2 * old && old <= 2 * avg && old !== 0) return;
    this.bucketLoad = avg;
    this.recuts++;

    if (this.scratch.length < len) this.scratch = new Float64Array(this.winChars.length);
    const sorted = this.scratch.subarray(0, len);
    const cap = this.winChars.length;
    for (let k = 0; k < len; k++) sorted[k] = this.winChars[(this.winHead + k) % cap];
    sorted.sort();

    let upper = 0;
    let idx = 0;
    for (let k = 0; k < n; k++) {
      const last = k === n - 1;
      if (idx >= len && last) {
        this.setBand(k, upper, Infinity);
        break;
      }
      let acc = 0;
      let cut = false;
      while (idx < len) {
        const load = sorted[idx];
        acc += load;
        if (acc >= avg) {
          if (last) {
            this.setBand(k, upper, Infinity);
          } else if (load <= upper) {
            this.setBand(k, upper, upper + avg);
            upper = upper + avg + 1;
          } else {
            this.setBand(k, upper, load);
            upper = load + 1;
          }
          idx++;
          cut = true;
          break;
        }
        idx++;
      }
      if (!cut) {
        if (last) {
          this.setBand(k, upper, Infinity);
          break;
        }
        this.setBand(k, upper, upper + avg);
        upper = upper + avg + 1;
      }
    }
  }

  private setBand(k: number, lo: number, hi: number): void {
    this.bandLo[k] = lo;
    this.bandHi[k] = hi;
  }

  /** SGLang `post_process_request`: count, expire old entries, append. */
  private record(c: number, w: number, nowUs: number): void {
    this.charsPerWorker[w] += c;
    const cap = this.winChars.length;
    let removed = 0;
    while (this.winCount > 0 && nowUs - this.winTimeUs[this.winHead] > this.periodUs) {
      const h = this.winHead;
      const ww = this.winWorker[h];
      removed += this.winChars[h];
      this.charsPerWorker[ww] = Math.max(0, this.charsPerWorker[ww] - this.winChars[h]);
      this.winHead = (h + 1) % cap;
      this.winCount--;
    }
    this.loadTotal = Math.max(0, this.loadTotal - removed);
    if (this.winCount === cap) this.growWindow();
    const tail = (this.winHead + this.winCount) % this.winChars.length;
    this.winChars[tail] = c;
    this.winWorker[tail] = w;
    this.winTimeUs[tail] = nowUs;
    this.winCount++;
    this.loadTotal += c;
  }

  private growWindow(): void {
    const cap = this.winChars.length;
    const chars = new Float64Array(cap * 2);
    const worker = new Int32Array(cap * 2);
    const time = new Float64Array(cap * 2);
    for (let k = 0; k < this.winCount; k++) {
      const j = (this.winHead + k) % cap;
      chars[k] = this.winChars[j];
      worker[k] = this.winWorker[j];
      time[k] = this.winTimeUs[j];
    }
    this.winChars = chars;
    this.winWorker = worker;
    this.winTimeUs = time;
    this.winHead = 0;
  }
}
