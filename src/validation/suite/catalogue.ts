/**
 * The expectations a suite may use, under Great Expectations' names and argument names, with the argument types the
 * parser checks. Two are Cairn's own where Great Expectations has no equivalent of an Evidently test
 * (most common value share) or of Cairn's drift tests (`expect_column_drift_to_be_below`,
 * `expect_table_drift_share_to_be_below`, evaluated by src/monitoring/drift/); they say so in `origin`.
 */
export type ArgumentType =
  | "column"
  | "number"
  | "integer"
  | "boolean"
  | "string"
  | "fraction"
  | "column_list"
  | "value_list"
  | "quantile_ranges"
  | "partition_object"
  | "drift_method" // a method name the drift library accepts (Evidently's names and aliases)
  | "path"; // a file path, kept as written; the CLI resolves it against the suite file's folder

/** How an expectation is evaluated: which query family computes its observed value. */
export type ExpectationFamily =
  | "schema" // column names and types: no scan
  | "table" // row count
  | "map" // a per-row predicate counted in the one aggregate scan; `mostly` applies
  | "aggregate" // a column statistic in the one aggregate scan, compared with a range
  | "grouped" // needs a GROUP BY over the column (uniqueness, value counts, KL divergence)
  | "drift"; // compares the dataset with a reference dataset through the drift library

export interface ExpectationSpec {
  family: ExpectationFamily;
  required: Readonly<Record<string, ArgumentType>>;
  optional: Readonly<Record<string, ArgumentType>>;
  origin: "great_expectations" | "cairn";
}

/** Arguments every expectation accepts besides its own. */
export const COMMON_ARGUMENTS: Readonly<Record<string, ArgumentType>> = { row_condition: "string" };

const RANGE = { min_value: "number", max_value: "number", strict_min: "boolean", strict_max: "boolean" } as const;
const col = { column: "column" } as const;
const mostly = { mostly: "fraction" } as const;

const spec = (
  family: ExpectationFamily,
  required: Record<string, ArgumentType>,
  optional: Record<string, ArgumentType> = {},
  origin: ExpectationSpec["origin"] = "great_expectations",
): ExpectationSpec => ({ family, required, optional, origin });

export const CATALOGUE = {
  expect_column_to_exist: spec("schema", col, { column_index: "integer" }),
  expect_table_columns_to_match_ordered_list: spec("schema", { column_list: "column_list" }),
  expect_table_columns_to_match_set: spec("schema", { column_set: "column_list" }, { exact_match: "boolean" }),
  expect_table_column_count_to_equal: spec("schema", { value: "integer" }),
  expect_table_column_count_to_be_between: spec("schema", {}, RANGE),
  expect_column_values_to_be_of_type: spec("schema", { ...col, type_: "string" }),
  expect_column_values_to_be_in_type_list: spec("schema", { ...col, type_list: "value_list" }),

  expect_table_row_count_to_equal: spec("table", { value: "integer" }),
  expect_table_row_count_to_be_between: spec("table", {}, RANGE),

  expect_column_values_to_not_be_null: spec("map", col, mostly),
  expect_column_values_to_be_null: spec("map", col, mostly),
  expect_column_values_to_be_between: spec("map", col, { ...RANGE, ...mostly }),
  expect_column_values_to_be_in_set: spec("map", { ...col, value_set: "value_list" }, mostly),
  expect_column_values_to_not_be_in_set: spec("map", { ...col, value_set: "value_list" }, mostly),
  expect_column_values_to_match_regex: spec("map", { ...col, regex: "string" }, mostly),
  expect_column_values_to_not_match_regex: spec("map", { ...col, regex: "string" }, mostly),
  expect_column_value_lengths_to_be_between: spec("map", col, { ...RANGE, ...mostly }),
  expect_column_value_lengths_to_equal: spec("map", { ...col, value: "integer" }, mostly),

  expect_column_mean_to_be_between: spec("aggregate", col, RANGE),
  expect_column_median_to_be_between: spec("aggregate", col, RANGE),
  expect_column_stdev_to_be_between: spec("aggregate", col, RANGE),
  expect_column_min_to_be_between: spec("aggregate", col, RANGE),
  expect_column_max_to_be_between: spec("aggregate", col, RANGE),
  expect_column_sum_to_be_between: spec("aggregate", col, RANGE),
  expect_column_quantile_values_to_be_between: spec("aggregate", { ...col, quantile_ranges: "quantile_ranges" }, { allow_relative_error: "boolean" }),
  expect_column_proportion_of_non_null_values_to_be_between: spec("aggregate", col, RANGE),
  expect_column_unique_value_count_to_be_between: spec("aggregate", col, RANGE),
  expect_column_proportion_of_unique_values_to_be_between: spec("aggregate", col, RANGE),

  expect_column_values_to_be_unique: spec("grouped", col, mostly),
  expect_compound_columns_to_be_unique: spec("grouped", { column_list: "column_list" }, mostly),
  expect_column_most_common_value_to_be_in_set: spec("grouped", { ...col, value_set: "value_list" }, { ties_okay: "boolean" }),
  expect_column_most_common_value_share_to_be_between: spec("grouped", col, RANGE, "cairn"),
  expect_column_distinct_values_to_be_in_set: spec("grouped", { ...col, value_set: "value_list" }),
  expect_column_distinct_values_to_contain_set: spec("grouped", { ...col, value_set: "value_list" }),
  expect_column_distinct_values_to_equal_set: spec("grouped", { ...col, value_set: "value_list" }),
  expect_column_kl_divergence_to_be_less_than: spec(
    "grouped",
    { ...col, partition_object: "partition_object", threshold: "number" },
    { tail_weight_holdout: "fraction", internal_weight_holdout: "fraction" },
  ),

  expect_column_drift_to_be_below: spec("drift", { ...col, reference: "path" }, { method: "drift_method", threshold: "number" }, "cairn"),
  expect_table_drift_share_to_be_below: spec("drift", { reference: "path" }, { max_share: "fraction", columns: "column_list" }, "cairn"),
} as const satisfies Record<string, ExpectationSpec>;

export type ExpectationName = keyof typeof CATALOGUE;

export const isExpectationName = (name: string): name is ExpectationName => Object.hasOwn(CATALOGUE, name);
