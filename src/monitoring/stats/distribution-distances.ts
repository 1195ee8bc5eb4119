/** scipy.spatial.distance.jensenshannon(p, q, base): the JS distance (square root of the divergence), natural log by default. */
export function jensenShannonDistance(p: number[], q: number[], base?: number): number {
  void p; void q; void base;
  throw new Error("jensenShannonDistance: not implemented yet");
}
/** Evidently's PSI over shares, both clipped below at 0.0001. */
export function psi(refShares: number[], curShares: number[]): number {
  void refShares; void curShares;
  throw new Error("psi: not implemented yet");
}
export function hellingerDistance(p: number[], q: number[]): number {
  void p; void q;
  throw new Error("hellingerDistance: not implemented yet");
}
export function klDivergence(p: number[], q: number[]): number {
  void p; void q;
  throw new Error("klDivergence: not implemented yet");
}
export function totalVariationDistance(p: number[], q: number[]): number {
  void p; void q;
  throw new Error("totalVariationDistance: not implemented yet");
}
