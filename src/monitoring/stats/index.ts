/**
 * Cairn's statistics library: two-sample tests and distances used by drift, skew and data tests.
 * Every function reproduces the named scipy 1.17.1 function (or Evidently helper) to 1e-9 relative;
 * fixtures/ holds the reference values and scripts/gen-stats-fixtures.py documents where they come from.
 */
export type { TestResult } from "./types.js";
export { ks2samp } from "./ks-2samp.js";
export { chiSquare } from "./chi-square.js";
export { poolSparseCells, MIN_EXPECTED_PER_CELL, type PooledCells } from "./pool-cells.js";
export { proportionsZTest } from "./proportions-z-test.js";
export { wassersteinDistance } from "./wasserstein.js";
export { energyDistance } from "./energy.js";
export {
  jensenShannonDistance,
  psi,
  hellingerDistance,
  klDivergence,
  totalVariationDistance,
} from "./distribution-distances.js";
export { andersonKsamp } from "./anderson-ksamp.js";
export { cramerVonMises2samp } from "./cramer-von-mises.js";
export { mannWhitneyU } from "./mann-whitney.js";
export { tTest } from "./t-test.js";
export { fisherExact } from "./fisher-exact.js";
