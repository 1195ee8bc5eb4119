/**
 * expect_column_kl_divergence_to_be_less_than as Great Expectations computes it: KL(observed || expected) with
 * scipy.stats.entropy's rules (both sides normalised, natural log, 0 where the observed weight is 0, infinite where
 * only the expected weight is 0), with tail_weight_holdout / internal_weight_holdout and tail_weights for the mass
 * outside finite bins. Observed weights are counts over the column's non-null values.
 */
import { invalidParameter } from "../../core/errors.js";
import type { PartitionObject, SuiteScalar } from "./suite.js";

/** scipy.stats.entropy(pk, qk): sum pk * ln(pk / qk) after normalising both. */
export const entropy = (pk: readonly number[], qk: readonly number[]): number => {
  const sp = pk.reduce((a, b) => a + b, 0);
  const sq = qk.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let i = 0; i < pk.length; i += 1) {
    const p = (pk[i] ?? 0) / sp;
    const q = (qk[i] ?? 0) / sq;
    if (Number.isNaN(p) || Number.isNaN(q)) return Number.NaN;
    if (p === 0) continue;
    if (q === 0) return Number.POSITIVE_INFINITY;
    total += p * Math.log(p / q);
  }
  return total;
};

export interface Holdouts {
  tail: number;
  internal: number;
}

/** Categorical partition: `counts` are the observed value counts keyed by value text. */
export const categoricalKl = (partition: PartitionObject, counts: ReadonlyMap<string, number>, nonNull: number, holdouts: Holdouts): number => {
  if (holdouts.internal > 0) throw invalidParameter("internal_weight_holdout cannot be used with a categorical partition (values)");
  const values = (partition.values ?? []).map((v: SuiteScalar) => String(v));
  const unseen = [...counts.keys()].filter((key) => !values.includes(key));
  const pk = [...values.map((v) => (counts.get(v) ?? 0) / nonNull), ...unseen.map((key) => (counts.get(key) ?? 0) / nonNull)];
  // A value the partition did not expect gets an equal share of tail_weight_holdout (0 by default: infinite KL).
  const scale = unseen.length > 0 ? 1 - holdouts.tail : 1;
  const qk = [...partition.weights.map((w) => w * scale), ...unseen.map(() => holdouts.tail / unseen.length)];
  return entropy(pk, qk);
};

/** Numeric partition: `histogram` counts per bin ([b_i, b_i+1), the last closed), `below`/`above` outside the edges. */
export const continuousKl = (partition: PartitionObject, histogram: readonly number[], below: number, above: number, nonNull: number, holdouts: Holdouts): number => {
  const bins = partition.bins ?? [];
  if (partition.tail_weights && holdouts.tail !== 0) throw invalidParameter("tail_weight_holdout must be 0 when the partition has tail_weights");
  const observed = histogram.map((count) => count / nonNull);
  const expected = partition.weights.map((w) => w * (1 - holdouts.tail - holdouts.internal));
  if (holdouts.internal > 0) {
    const zeros = expected.filter((w) => w === 0).length;
    if (zeros > 0) expected.forEach((w, i) => (expected[i] = w === 0 ? holdouts.internal / zeros : w));
  }
  const lowInfinite = bins[0] === Number.NEGATIVE_INFINITY;
  const highInfinite = bins[bins.length - 1] === Number.POSITIVE_INFINITY;
  if ((lowInfinite || highInfinite) && partition.tail_weights) throw invalidParameter("a partition with an infinite edge cannot have tail_weights");
  if (lowInfinite && highInfinite) {
    if (holdouts.tail > 0) throw invalidParameter("tail_weight_holdout cannot be used with a partition whose edges are both infinite");
    return entropy(observed, expected);
  }
  if (lowInfinite) return entropy([...observed, above / nonNull], [...expected, holdouts.tail]);
  if (highInfinite) return entropy([below / nonNull, ...observed], [holdouts.tail, ...expected]);
  const tails = partition.tail_weights ?? [holdouts.tail / 2, holdouts.tail / 2];
  return entropy([below / nonNull, ...observed, above / nonNull], [tails[0], ...expected, tails[1]]);
};
