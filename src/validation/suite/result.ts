/** The outcome of validating a dataset against a suite: versioned JSON that later releases keep readable. */
import type { SqlValue } from "../dataset.js";
import type { ExpectationName } from "./catalogue.js";

/** A failing row: its 1-based position in the dataset and the offending value (a list for compound columns). */
export interface ExampleRow {
  row: number;
  value: SqlValue | SqlValue[];
}

export type ObservedValue = SqlValue | SqlValue[] | number[] | null;

export interface ExpectationResult {
  expectation: ExpectationName;
  column?: string;
  column_list?: string[];
  row_condition?: string;
  /** Line of the expectation in the suite file. */
  line: number;
  success: boolean;
  observed_value: ObservedValue;
  /** The bound as a person reads it: "[0, 10]", "in {'AA', 'UA'}", "not null". */
  bound: string;
  /** Rows considered (after the row condition). */
  element_count?: number;
  missing_count?: number;
  unexpected_count?: number;
  /** Percent of the values `mostly` counts over: non-null values, or every row for the null expectations. */
  unexpected_percent?: number;
  examples: ExampleRow[];
  /** Drift expectations: the drift method that produced observed_value (a p-value or a distance, as it defines). */
  method?: string;
  /** expect_table_drift_share_to_be_below: the columns that drifted. */
  drifted_columns?: string[];
  /** Empty when the expectation passed; else names the column, the expectation, what was observed and the bound. */
  message: string;
}

export interface ValidationStatistics {
  evaluated_expectations: number;
  successful_expectations: number;
  unsuccessful_expectations: number;
  success_percent: number;
}

export interface ValidationResult {
  schema_version: 1;
  suite: string;
  source: string;
  success: boolean;
  statistics: ValidationStatistics;
  results: ExpectationResult[];
  /** Wall time of the validation in milliseconds. */
  duration_ms: number;
}

export const MAX_EXAMPLES = 5;
