/**
 * Cairn's drift expectations, evaluated by the drift library (src/monitoring/drift/) with its method selection and
 * thresholds: one column against the reference, or the share of drifted columns against `max_share`.
 */
import { computeDrift, DEFAULT_DRIFT_SHARE, type DriftMethod, isDrifted, resolveDriftMethod } from "../../monitoring/drift/index.js";
import type { ColumnDriftResult } from "../../monitoring/drift/index.js";
import type { Dataset } from "../dataset.js";
import type { ReferenceDatasets } from "./reference-datasets.js";
import type { ExpectationResult } from "./result.js";
import { baseResult, errorResult, subject } from "./scope.js";
import type { Expectation } from "./suite.js";

/** The bound a column passes within, in the method's direction (see isDrifted). */
const columnBound = (result: ColumnDriftResult, method: DriftMethod): string => {
  if (method.score === "p_value") return `p_value >= ${result.threshold}`;
  return `${method.name === "ed" ? "<=" : "<"} ${result.threshold}`;
};

/** The observed value of a column test: the p-value of a hypothesis test, the distance of a distance. */
const observed = (result: ColumnDriftResult): number => result.p_value ?? result.statistic;

const columnCheck = async (expectation: Expectation, current: Dataset, reference: Dataset): Promise<ExpectationResult> => {
  const column = expectation.kwargs.column as string;
  const methodName = expectation.kwargs.method;
  const threshold = expectation.kwargs.threshold;
  const choice = typeof methodName === "string" ? { method: resolveDriftMethod(methodName), ...(typeof threshold === "number" ? { threshold } : {}) } : undefined;
  const drift = await computeDrift(reference, current, {
    columns: [column],
    distributions: false,
    ...(choice ? { columnMethods: { [column]: choice } } : {}),
  });
  const tested = drift.columns[column];
  if (tested === undefined) return errorResult(expectation, `column "${column}" was not tested: ${drift.skipped_columns[column]?.reason ?? "no result"}`);
  const method = resolveDriftMethod(tested.method);
  const value = observed(tested);
  // A threshold without a method applies to the method the library chose (as Evidently's stattest_threshold does).
  const result = choice === undefined && typeof threshold === "number" ? { ...tested, threshold, drifted: isDrifted(method, value, threshold) } : tested;
  const bound = columnBound(result, method);
  return {
    ...baseResult(expectation),
    success: !result.drifted,
    observed_value: value,
    bound,
    method: tested.method,
    element_count: tested.current_rows,
    missing_count: tested.current_missing,
    message: result.drifted ? `${subject(expectation)} failed: ${tested.method_name} is ${value}, expected ${bound} (line ${expectation.line})` : "",
  };
};

const tableCheck = async (expectation: Expectation, current: Dataset, reference: Dataset): Promise<ExpectationResult> => {
  const columns = expectation.kwargs.columns;
  const maxShare = typeof expectation.kwargs.max_share === "number" ? expectation.kwargs.max_share : DEFAULT_DRIFT_SHARE;
  const drift = await computeDrift(reference, current, {
    driftShare: maxShare,
    distributions: false,
    ...(Array.isArray(columns) ? { columns: columns as string[] } : {}),
  });
  const bound = `share of drifted columns < ${maxShare}`;
  const drifted = Object.entries(drift.columns).filter(([, c]) => c.drifted).map(([name]) => name);
  return {
    ...baseResult(expectation),
    success: !drift.dataset_drift,
    observed_value: drift.share_drifted,
    bound,
    drifted_columns: drifted,
    element_count: drift.number_of_columns,
    message: drift.dataset_drift
      ? `${subject(expectation)} failed: ${drift.number_of_drifted_columns} of ${drift.number_of_columns} columns drifted (${drifted.join(", ")}), share ${drift.share_drifted}, expected ${bound} (line ${expectation.line})`
      : "",
  };
};

export const driftCheck = async (expectation: Expectation, current: Dataset, references: ReferenceDatasets): Promise<ExpectationResult> => {
  const at = ` (line ${expectation.line})`;
  let reference: Dataset;
  try {
    reference = await references.get(expectation.kwargs.reference as string);
  } catch (error) {
    return errorResult(expectation, `${(error as Error).message}${at}`);
  }
  try {
    return expectation.expectation === "expect_table_drift_share_to_be_below" ? await tableCheck(expectation, current, reference) : await columnCheck(expectation, current, reference);
  } catch (error) {
    // The library's refusals (a column missing on one side, a method that does not fit the column type).
    return errorResult(expectation, `${(error as Error).message}${at}`);
  }
};
