import type { DatasetProfile } from "../../validation/profile/profile-schema.js";
import type { SkewReference } from "./skew-reference.js";

/**
 * The skew (and profile-drift) reference of a training profile: numeric columns by their histogram, categorical
 * and boolean columns by their top categories and non-missing count. Columns without either (all missing,
 * datetime) are left out: there is no distribution to compare with.
 */
export const skewReferenceFromProfile = (profile: DatasetProfile): SkewReference => {
  const reference: SkewReference = {};
  for (const column of profile.columns) {
    const histogram = column.numeric?.histogram;
    if (column.kind === "numeric" && histogram !== undefined && histogram !== null) {
      reference[column.name] = { kind: "numeric", edges: [...histogram.edges], counts: [...histogram.counts] };
    } else if ((column.kind === "categorical" || column.kind === "boolean") && column.top !== undefined) {
      reference[column.name] = { kind: "categorical", categories: column.top.map((c) => ({ value: c.value, count: c.count })), nonNullCount: column.count };
    }
  }
  return reference;
};
