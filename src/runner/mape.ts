/** Mean absolute percentage error, the figure `validate e2e` and `validate estimator` report. */
import { meanSimple } from "simple-statistics";

/**
 * The mean of absolute percentage errors given as fractions (|predicted / measured - 1|), 0 when
 * there are none. A plain left-to-right mean (simple-statistics `meanSimple`), so the reported
 * figures keep their exact bits.
 */
export function mape(apes: readonly number[]): number {
  return apes.length === 0 ? 0 : meanSimple(apes);
}
