/**
 * A small robust nonlinear least-squares solver (Levenberg-Marquardt with a forward-difference
 * Jacobian and soft-L1 reweighting), enough to fit a handful of roofline parameters to a few tens of
 * thousands of measured rows. Dev-time only (used by scripts/compact-profiles.ts).
 */

export interface LsqOptions {
  /** Residual scale of the soft-L1 loss: residuals beyond it count linearly, not quadratically. */
  fScale?: number;
  maxIter?: number;
  /** Per-row weights (multiply the squared residual). */
  weights?: Float64Array;
}

export interface LsqResult {
  x: number[];
  cost: number;
  iterations: number;
}

/** Solves A x = b for a small dense symmetric system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (Math.abs(m[piv][c]) < 1e-300) return undefined;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Minimizes sum_i w_i * rho(r_i(x)^2) where `residuals(x, out)` fills `out` (length `rows`).
 * Non-finite residuals are treated as a large penalty so the search steps back.
 */
export function leastSquares(
  residuals: (x: number[], out: Float64Array) => void,
  x0: number[],
  rows: number,
  opts: LsqOptions = {},
): LsqResult {
  const f = opts.fScale ?? 0.1;
  const maxIter = opts.maxIter ?? 200;
  const w = opts.weights ?? new Float64Array(rows).fill(1);
  const n = x0.length;
  let x = [...x0];
  const r = new Float64Array(rows);
  const rTry = new Float64Array(rows);
  const jac = Array.from({ length: n }, () => new Float64Array(rows));

  const costOf = (res: Float64Array): number => {
    let c = 0;
    for (let i = 0; i < rows; i++) {
      const v = res[i];
      if (!Number.isFinite(v)) return Infinity;
      const z = (v / f) ** 2;
      c += w[i] * 2 * (Math.sqrt(1 + z) - 1);
    }
    return c * f * f;
  };

  residuals(x, r);
  let cost = costOf(r);
  let lambda = 1e-3;
  let it = 0;
  for (; it < maxIter; it++) {
    // IRLS weights of the soft-L1 loss at the current residuals.
    const irls = new Float64Array(rows);
    for (let i = 0; i < rows; i++) irls[i] = w[i] / Math.sqrt(1 + (r[i] / f) ** 2);
    for (let j = 0; j < n; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(x[j]));
      const xp = [...x];
      xp[j] += h;
      residuals(xp, jac[j]);
      for (let i = 0; i < rows; i++) jac[j][i] = (jac[j][i] - r[i]) / h;
    }
    const jtj = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const jtr = new Array<number>(n).fill(0);
    for (let a = 0; a < n; a++) {
      const ja = jac[a];
      for (let i = 0; i < rows; i++) if (Number.isFinite(ja[i])) jtr[a] += irls[i] * ja[i] * r[i];
      for (let b = a; b < n; b++) {
        const jb = jac[b];
        let s = 0;
        for (let i = 0; i < rows; i++) {
          const v = irls[i] * ja[i] * jb[i];
          if (Number.isFinite(v)) s += v;
        }
        jtj[a][b] = s;
        jtj[b][a] = s;
      }
    }
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const a = jtj.map((row, i) => row.map((v, j) => (i === j ? v + lambda * Math.max(v, 1e-12) : v)));
      const step = solve(a, jtr.map((v) => -v));
      if (!step) {
        lambda *= 10;
        continue;
      }
      const xt = x.map((v, i) => v + step[i]);
      residuals(xt, rTry);
      const c = costOf(rTry);
      if (c < cost) {
        const rel = (cost - c) / Math.max(cost, 1e-30);
        x = xt;
        r.set(rTry);
        cost = c;
        lambda = Math.max(lambda / 3, 1e-9);
        improved = true;
        if (rel < 1e-9) it = maxIter;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { x, cost, iterations: it };
}
