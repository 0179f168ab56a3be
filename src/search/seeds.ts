/**
 * Seeds other than the search's. The search seed decides every search trial; confirmation runs use
 * the full workloads of seeds derived from it; `verify` uses its own range by default. The three
 * never meet for the default search seed (1) and for any search seed below 1,000,000.
 */

/** Largest seed (the `--seed` range). */
export const MAX_SEED = 2 ** 31 - 1;
/** Confirmation seed k of search seed s: s + k x CONFIRM_SEED_STRIDE (mod MAX_SEED). */
export const CONFIRM_SEED_STRIDE = 1_000_003;
/** `verify`'s first default seed: it checks with seeds 101, 102, ... */
export const VERIFY_FIRST_SEED = 101;

/** The `n` confirmation seeds of search seed `seed`: deterministic, distinct, none equal to `seed`. */
export function confirmSeeds(seed: number, n: number): number[] {
  const out: number[] = [];
  for (let k = 1; out.length < n; k++) {
    const s = (seed + k * CONFIRM_SEED_STRIDE) % MAX_SEED;
    if (s !== seed && !out.includes(s)) out.push(s);
  }
  return out;
}

/** `verify`'s seeds: `n` consecutive seeds from `first` (default 101: none the default search uses). */
export function verifySeeds(n: number, first = VERIFY_FIRST_SEED): number[] {
  return Array.from({ length: n }, (_, i) => first + i);
}
