/**
 * A fixed price table for tests that compute costs by hand: the figures are written here, not read
 * from the bundled lists, so a change to a bundled list cannot make a hand-computed cost pass or fail.
 */
import type { PriceTable } from "../../src/sim/deployment/cost.js";

export const TEST_PRICES: PriceTable = {
  name: "test-prices",
  gpuUsdPerHour: { a100_sxm: 1.79, h100_sxm: 2.99, h200_sxm: 3.5, h20: 1.2, b200: 4.99, l40s: 0.99 },
  hostMemoryUsdPerGbHour: 0.003,
  mediaUsdPerGbHour: { nvme: 0.00011, file: 0.00011, remote_pool: 0.0004 },
};
