/**
 * Seeds other than the search's. The search seed steers the search's trials; confirmation runs use
 * the full workloads of a fixed set of seeds (1,000,001, 1,000,002, ..., skipping the search seed),
 * so searches with different `--seed`s judge their answers on the same workloads and agree on which
 * deployments meet the SLO; `verify` uses its own range by default (101, 102, ...), which neither
 * the confirmation seeds nor the default search seed (1) touch.
 */

/** Largest seed (the `--seed` range). */
export const MAX_SEED = 2 ** 31 - 1;
/** The first confirmation seed. */
export const CONFIRM_FIRST_SEED = 1_000_001;
/** `verify`'s first default seed: it checks with seeds 101, 102, ... */
export const VERIFY_FIRST_SEED = 101;

/** The `n` confirmation seeds of search seed `seed`: 1,000,001 and up, never `seed` itself. */
export function confirmSeeds(seed: number, n: number): number[] {
  const out: number[] = [];
  for (let s = CONFIRM_FIRST_SEED; out.length < n; s++) if (s !== seed) out.push(s);
  return out;
}

/**
 * Seeds a capacity is checked on beyond the confirmation seeds. With three seeds, a fourth's
 * percentile exceeds the worst of the three one time in four; with five, one time in six. A capacity
 * is the highest rate met on every one of them, so unseen traffic holds at 95% of it (`verify`).
 */
export const CAPACITY_EXTRA_SEEDS = 2;

/** The seeds a capacity is checked on: the `n` confirmation seeds and `CAPACITY_EXTRA_SEEDS` more. */
export function capacitySeeds(seed: number, n: number): number[] {
  return confirmSeeds(seed, n + CAPACITY_EXTRA_SEEDS);
}

/** `verify`'s seeds: `n` consecutive seeds from `first` (default 101: none the default search uses). */
export function verifySeeds(n: number, first = VERIFY_FIRST_SEED): number[] {
  return Array.from({ length: n }, (_, i) => first + i);
}
