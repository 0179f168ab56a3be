/**
 * Multilinear interpolation on a sparse rectilinear grid in log coordinates. Measured tables are
 * not full grids (attention tables are triangles: large batches stop at shorter sequences), so
 * missing corners are dropped and the remaining weights renormalized. A query is "inside" when it
 * lies within every axis range and at least one corner of its cell was measured; otherwise the
 * value of the clamped query (or of the nearest measured point) is returned with inside = false.
 */

export interface GridLookup {
  value: number;
  inside: boolean;
}

export class SparseGrid {
  readonly dims: number;
  /** Sorted log coordinates per axis. */
  readonly axes: Float64Array[];
  /** Row-major values (last axis fastest); NaN = not measured. */
  readonly values: Float64Array;
  private readonly strides: Int32Array;
  // Scratch (no allocation per lookup).
  private readonly lo: Int32Array;
  private readonly frac: Float64Array;
  private readonly q: Float64Array;

  /**
   * @param points  coordinates per point (natural units, > 0), `dims` numbers each
   * @param values  value per point (e.g. log of measured / modeled latency)
   */
  constructor(points: ArrayLike<number>[], values: ArrayLike<number>, dims: number) {
    this.dims = dims;
    this.axes = [];
    for (let d = 0; d < dims; d++) {
      const uniq = [...new Set(Array.from(points, (p) => p[d]))].sort((a, b) => a - b);
      this.axes.push(Float64Array.from(uniq, (v) => Math.log(v)));
    }
    this.strides = new Int32Array(dims);
    let size = 1;
    for (let d = dims - 1; d >= 0; d--) {
      this.strides[d] = size;
      size *= this.axes[d].length;
    }
    this.values = new Float64Array(size).fill(Number.NaN);
    for (let i = 0; i < points.length; i++) {
      let idx = 0;
      for (let d = 0; d < dims; d++) idx += this.strides[d] * this.indexOf(d, Math.log(points[i][d]));
      this.values[idx] = values[i];
    }
    this.lo = new Int32Array(dims);
    this.frac = new Float64Array(dims);
    this.q = new Float64Array(dims);
  }

  private indexOf(d: number, x: number): number {
    const a = this.axes[d];
    let lo = 0;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < x - 1e-12) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether a measured value sits exactly at these natural coordinates. */
  has(coords: ArrayLike<number>): boolean {
    let idx = 0;
    for (let d = 0; d < this.dims; d++) {
      const x = Math.log(coords[d]);
      const i = this.indexOf(d, x);
      if (Math.abs(this.axes[d][i] - x) > 1e-9) return false;
      idx += this.strides[d] * i;
    }
    return !Number.isNaN(this.values[idx]);
  }

  /** Interpolates at natural coordinates `coords` (> 0) into `out`. */
  lookup(coords: ArrayLike<number>, out: GridLookup): GridLookup {
    let clamped = false;
    for (let d = 0; d < this.dims; d++) {
      const a = this.axes[d];
      let x = Math.log(coords[d]);
      if (x < a[0] - 1e-12) {
        x = a[0];
        clamped = true;
      } else if (x > a[a.length - 1] + 1e-12) {
        x = a[a.length - 1];
        clamped = true;
      }
      this.q[d] = x;
      let i = this.indexOf(d, x);
      // indexOf gives the first axis value >= x; step back to the cell's lower corner.
      if (i > 0 && a[i] > x + 1e-12) i--;
      if (i >= a.length - 1 || Math.abs(a[i] - x) <= 1e-12) {
        this.lo[d] = i;
        this.frac[d] = 0;
      } else {
        this.lo[d] = i;
        this.frac[d] = (x - a[i]) / (a[i + 1] - a[i]);
      }
    }
    let sw = 0;
    let sv = 0;
    const corners = 1 << this.dims;
    for (let c = 0; c < corners; c++) {
      let w = 1;
      let idx = 0;
      for (let d = 0; d < this.dims; d++) {
        const up = (c >> d) & 1;
        const f = this.frac[d];
        if (up) {
          if (f === 0) {
            w = 0;
            break;
          }
          w *= f;
          idx += this.strides[d] * (this.lo[d] + 1);
        } else {
          w *= 1 - f;
          idx += this.strides[d] * this.lo[d];
        }
      }
      if (w <= 0) continue;
      const v = this.values[idx];
      if (Number.isNaN(v)) continue;
      sw += w;
      sv += w * v;
    }
    if (sw > 0) {
      out.value = sv / sw;
      out.inside = !clamped;
      return out;
    }
    out.value = this.nearest();
    out.inside = false;
    return out;
  }

  /** Value of the measured point nearest (in log space) to the last clamped query `q`. */
  private nearest(): number {
    let best = Infinity;
    let bestV = 0;
    const n = this.values.length;
    for (let idx = 0; idx < n; idx++) {
      const v = this.values[idx];
      if (Number.isNaN(v)) continue;
      let dist = 0;
      let rem = idx;
      for (let d = 0; d < this.dims; d++) {
        const i = Math.floor(rem / this.strides[d]);
        rem -= i * this.strides[d];
        const diff = this.axes[d][i] - this.q[d];
        dist += diff * diff;
      }
      if (dist < best) {
        best = dist;
        bestV = v;
      }
    }
    return bestV;
  }
}
