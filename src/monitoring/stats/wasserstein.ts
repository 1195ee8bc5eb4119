/** scipy.stats.wasserstein_distance(a, b) (unweighted, 1-D). */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  void a; void b;
  throw new Error("wassersteinDistance: not implemented yet");
}
