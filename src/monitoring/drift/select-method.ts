/**
 * Evidently's default test for a column (stattests/registry.py `_get_default_stattest`): n = non-missing reference
 * values, u = distinct non-missing values of reference and current together.
 */
import { DRIFT_METHODS, type DriftColumnType, type DriftMethod } from "./methods.js";

/** Above this many reference values the distances replace the p-value tests. */
export const SMALL_REFERENCE_ROWS = 1000;

export const defaultDriftMethod = (columnType: DriftColumnType, referenceRows: number, distinctValues: number): DriftMethod => {
  if (referenceRows <= SMALL_REFERENCE_ROWS) {
    if (columnType === "num" && distinctValues > 5) return DRIFT_METHODS.ks;
    return distinctValues > 2 ? DRIFT_METHODS.chisquare : DRIFT_METHODS.z;
  }
  if (columnType === "num" && distinctValues > 5) return DRIFT_METHODS.wasserstein;
  return DRIFT_METHODS.jensenshannon;
};
