/** One line of `npm run bench`: a measured figure, optionally against its target. */
export interface BenchFigure {
  /** What was measured, e.g. "estimator calls/s (memoized decode step)". */
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. ">= 2000x real time". */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  ok?: boolean;
}

/** A bench section: a title and a function that measures (wall time is allowed here, never in tests). */
export interface BenchSection {
  title: string;
  run: () => Promise<BenchFigure[]>;
}
