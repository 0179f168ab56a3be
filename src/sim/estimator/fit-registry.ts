/**
 * Where the estimator finds the bundled roofline fits when a caller does not pass them. The pure core
 * cannot read files, so the edge (`src/catalog/profiles.ts`) registers a loader when it is imported;
 * callers may always pass `fits` explicitly instead.
 */
import { InvariantError } from "../../errors.js";
import type { RooflineFitSet } from "./kernel-profiles.js";

let provider: (() => RooflineFitSet) | undefined;

/** Registers the loader of the bundled fits (called by src/catalog/profiles.ts). */
export function provideRooflineFits(load: () => RooflineFitSet): void {
  provider = load;
}

/** The registered fits; throws when nothing registered them. */
export function defaultRooflineFits(): RooflineFitSet {
  if (!provider) {
    throw new InvariantError(
      "no roofline fits: pass `fits` to createEstimator or import src/catalog/profiles.js (which registers the bundled ones)",
    );
  }
  return provider();
}
