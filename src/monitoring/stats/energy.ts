import { cdfDistanceSum } from "./wasserstein.js";

/** scipy.stats.energy_distance(a, b) = sqrt(2) * sqrt(sum (F_u - F_v)^2 * gap) for unweighted 1-D samples. */
export function energyDistance(a: Float64Array, b: Float64Array): number {
  return Math.SQRT2 * Math.sqrt(cdfDistanceSum(a, b, 2));
}
