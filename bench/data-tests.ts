/**
 * Data tests over flights-3m.parquet (3 million rows, vega-datasets): a suite of 20 expectations, timed end to end
 * (open the file + validate). Target: under 3 s. Prints JSON.
 */
import { fileURLToPath } from "node:url";
import { openDataset } from "../src/validation/duckdb/index.js";
import { parseSuite, validateDataset } from "../src/validation/suite/index.js";

const SUITE = `
suite: flights-3m
expectations:
  - {expectation: expect_table_columns_to_match_set, column_set: [date, delay, distance, origin, destination]}
  - {expectation: expect_table_row_count_to_be_between, min_value: 2900000, max_value: 3100000}
  - {expectation: expect_column_to_exist, column: delay}
  - {expectation: expect_column_values_to_be_of_type, column: distance, type_: int}
  - {expectation: expect_column_values_to_not_be_null, column: delay}
  - {expectation: expect_column_values_to_not_be_null, column: origin}
  - {expectation: expect_column_values_to_be_between, column: delay, min_value: -60, max_value: 600, mostly: 0.99}
  - {expectation: expect_column_values_to_be_between, column: distance, min_value: 0, max_value: 5000}
  - {expectation: expect_column_values_to_be_of_type, column: date, type_: datetime}
  - {expectation: expect_column_values_to_match_regex, column: origin, regex: "^[A-Z]{3}$"}
  - {expectation: expect_column_value_lengths_to_equal, column: destination, value: 3}
  - {expectation: expect_column_values_to_be_between, column: delay, min_value: 0, row_condition: "origin = 'LAX' AND distance > 1000", mostly: 0.3}
  - {expectation: expect_column_mean_to_be_between, column: delay, min_value: 0, max_value: 30}
  - {expectation: expect_column_median_to_be_between, column: distance, min_value: 100, max_value: 2000}
  - {expectation: expect_column_stdev_to_be_between, column: delay, min_value: 1, max_value: 100}
  - {expectation: expect_column_quantile_values_to_be_between, column: delay, quantile_ranges: {quantiles: [0.05, 0.5, 0.95], value_ranges: [[-30, 0], [-10, 20], [0, 200]]}}
  - {expectation: expect_column_proportion_of_non_null_values_to_be_between, column: destination, min_value: 0.99}
  - {expectation: expect_column_proportion_of_unique_values_to_be_between, column: origin, max_value: 0.01}
  - {expectation: expect_column_most_common_value_share_to_be_between, column: origin, max_value: 0.2}
  - {expectation: expect_column_unique_value_count_to_be_between, column: destination, min_value: 50, max_value: 1000}
`;

export const runDataTestsBenchmark = async (): Promise<unknown> => {
  const path = fileURLToPath(new URL("../node_modules/vega-datasets/data/flights-3m.parquet", import.meta.url));
  const suite = parseSuite(SUITE, "flights-3m suite");
  const runs: number[] = [];
  let last: Awaited<ReturnType<typeof validateDataset>> | undefined;
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    const dataset = await openDataset(path);
    try {
      last = await validateDataset(dataset, suite);
    } finally {
      await dataset.close();
    }
    runs.push(performance.now() - started);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const median = sorted[1] ?? 0;
  return {
    benchmark: "data-tests",
    file: "vega-datasets/data/flights-3m.parquet",
    rows: 3_000_000,
    expectations: suite.expectations.length,
    runs_ms: runs.map((ms) => Math.round(ms)),
    median_ms: Math.round(median),
    target_ms: 3000,
    met: median < 3000,
    suite_success: last?.success,
    failed: last?.results.filter((r) => !r.success).map((r) => r.message),
  };
};
