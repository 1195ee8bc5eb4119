/**
 * What skew needs from a training profile, per feature: for numeric features the histogram (bin edges and counts,
 * equal-width between min and max as profiles compute it), for categorical ones the category counts and the number
 * of non-null values (so that categories beyond the profile's top-K still count, as "other").
 * `skewReferenceFromProfile` (./from-profile.ts) builds it from a stored profile.
 */
export interface NumericSkewReference {
  kind: "numeric";
  /** k + 1 increasing edges of k bins; the last bin includes its upper edge (numpy's convention). */
  edges: number[];
  counts: number[];
}

export interface CategoricalSkewReference {
  kind: "categorical";
  categories: Array<{ value: string; count: number }>;
  /** Non-null values of the column in the training data (>= the sum of the category counts). */
  nonNullCount: number;
}

export type FeatureSkewReference = NumericSkewReference | CategoricalSkewReference;

export type SkewReference = Record<string, FeatureSkewReference>;

/** TFDV's comparators: L-infinity distance for categorical features, approximate JS divergence for numeric ones. */
export type SkewMethod = "l_infinity" | "jensen_shannon_divergence";

export interface FeatureSkew {
  feature: string;
  method: SkewMethod;
  statistic: number;
  threshold: number;
  skewed: boolean;
  /** L-infinity: the category with the largest difference ("(other)" for categories outside the profile's). */
  worstCategory?: string;
  /** Serving rows with a value for the feature; 0 means no statistic could be computed (statistic is then 0). */
  servingCount: number;
}

export interface SkewResult {
  schema_version: 1;
  skewed: boolean;
  features: Record<string, FeatureSkew>;
}

export const DEFAULT_SKEW_THRESHOLD = 0.1;
/** The bucket that collects categories the profile does not list (beyond its top-K, or unseen in training). */
export const OTHER_CATEGORY = "(other)";
