/**
 * TFDV's approximate Jensen-Shannon divergence (anomalies/metrics.cc, JensenShannonDivergence): both histograms,
 * aligned on the same buckets, are normalised to sum 1; M = (P + Q) / 2 and JSD = (KL(P||M) + KL(Q||M)) / 2 with
 * KL in BASE 2 (std::log2), terms with p = 0 or q = 0 skipped. This is the divergence, not scipy's JS distance
 * (its square root): in [0, 1], 1 for disjoint histograms. "Approximate" because it compares binned counts.
 * Returns undefined when a side is empty (TFDV: "Unable to normalize an empty histogram").
 */
export const approximateJsDivergence = (p: readonly number[], q: readonly number[]): number | undefined => {
  if (p.length !== q.length) throw new Error(`histograms must have the same buckets (${p.length} vs ${q.length})`);
  const totalP = p.reduce((s, v) => s + v, 0);
  const totalQ = q.reduce((s, v) => s + v, 0);
  if (totalP === 0 || totalQ === 0) return undefined;
  let klP = 0;
  let klQ = 0;
  for (let i = 0; i < p.length; i += 1) {
    const pi = (p[i] as number) / totalP;
    const qi = (q[i] as number) / totalQ;
    const mi = (pi + qi) / 2;
    if (pi > 0 && mi > 0) klP += pi * Math.log2(pi / mi);
    if (qi > 0 && mi > 0) klQ += qi * Math.log2(qi / mi);
  }
  return (klP + klQ) / 2;
};
