/** scipy.stats.energy_distance(a, b) (unweighted, 1-D). */
export function energyDistance(a: Float64Array, b: Float64Array): number {
  void a; void b;
  throw new Error("energyDistance: not implemented yet");
}
