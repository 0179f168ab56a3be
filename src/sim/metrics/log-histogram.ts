/**
 * A log-bucketed histogram for per-token quantities (inter-token latency) where keeping every sample
 * would grow with output tokens. Buckets are 0.5% wide in relative terms, so interpolated
 * percentiles are within 0.25% of the exact ones; the mean is exact.
 */
const GROWTH = 1.005;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_VALUE = 1; // µs; smaller values land in bucket 0

export class LogHistogram {
  private counts = new Float64Array(4096);
  total = 0;
  sum = 0;
  max = 0;
  /** Last value added and its bucket: a decode step adds the same gap for most of its batch. */
  private lastValue = NaN;
  private lastBucket = 0;

  private bucketOf(v: number): number {
    return v <= MIN_VALUE ? 0 : 1 + Math.floor(Math.log(v / MIN_VALUE) / LOG_GROWTH);
  }

  /** Adds `count` samples of value `v`. */
  add(v: number, count = 1): void {
    let b = this.lastBucket;
    if (v !== this.lastValue) {
      b = this.bucketOf(v);
      this.lastValue = v;
      this.lastBucket = b;
    }
    if (b >= this.counts.length) {
      const c = new Float64Array(Math.max(b + 1, this.counts.length * 2));
      c.set(this.counts);
      this.counts = c;
    }
    this.counts[b] += count;
    this.total += count;
    this.sum += v * count;
    if (v > this.max) this.max = v;
  }

  get mean(): number {
    return this.total > 0 ? this.sum / this.total : NaN;
  }

  /** Approximate type-7 quantile: geometric interpolation inside the bucket that holds rank p*(n-1). */
  quantile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = p * (this.total - 1);
    let acc = 0;
    for (let b = 0; b < this.counts.length; b++) {
      const c = this.counts[b];
      if (c === 0) continue;
      if (acc + c > rank) {
        if (b === 0) return MIN_VALUE;
        const lo = MIN_VALUE * Math.pow(GROWTH, b - 1);
        const frac = c > 1 ? (rank - acc) / (c - 1 || 1) : 0.5;
        return Math.min(lo * Math.pow(GROWTH, Math.min(1, frac)), this.max);
      }
      acc += c;
    }
    return this.max;
  }
}
