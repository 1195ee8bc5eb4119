import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../dataset.js";
import { openDataset } from "../duckdb/index.js";
import { inferSuite, suiteToYaml } from "./infer-suite.js";
import { parseSuite } from "./parse-suite.js";
import { compileRowCondition, parseRowCondition, SqlParameters } from "./row-condition.js";
import { validateDataset } from "./validate-dataset.js";

// Six rows: a null delay, a null note, a unicode column name, quotes inside values.
const CSV = [
  'id,carrier,delay,"naïve name",note',
  "1,AA,5,ä,\"it's\"",
  '2,AA,,b,"say ""hi"""',
  "3,UA,12,c,x",
  "4,UA,-3,ä,y",
  "5,DL,40,e,",
  "6,AA,7,f,z",
].join("\n");

let dir: string;
let dataset: Dataset;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-suite-"));
  await writeFile(join(dir, "small.csv"), `${CSV}\n`);
  dataset = await openDataset(join(dir, "small.csv"));
});
afterAll(async () => {
  await dataset.close();
  await rm(dir, { recursive: true, force: true });
});

const one = async (yaml: string) => {
  const suite = parseSuite(`suite: t\nexpectations:\n  - ${yaml.trim().split("\n").join("\n    ")}\n`);
  const result = await validateDataset(dataset, suite);
  const [first] = result.results;
  if (!first) throw new Error("no result");
  return first;
};

describe("column-map expectations", () => {
  it("values between: failing with count, percent over non-null values, examples with row numbers", async () => {
    const r = await one("expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: 0\nmax_value: 20");
    expect(r.success).toBe(false);
    expect(r).toMatchObject({ element_count: 6, missing_count: 1, unexpected_count: 2, unexpected_percent: 40, bound: "[0, 20]" });
    expect(r.examples).toEqual([{ row: 4, value: -3 }, { row: 5, value: 40 }]);
    expect(r.message).toBe('expect_column_values_to_be_between on column "delay" failed: 2 of 5 non-null values (40%) fail the bound [0, 20]');
  });
  it("mostly: 3 of 5 passing meets 0.6 but not 0.61", async () => {
    expect((await one("expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: 0\nmax_value: 20\nmostly: 0.6")).success).toBe(true);
    const r = await one("expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: 0\nmax_value: 20\nmostly: 0.61");
    expect(r.message).toBe(
      'expect_column_values_to_be_between on column "delay" failed: 2 of 5 non-null values (40%) fail the bound [0, 20]; mostly 0.61 needs at least 61% to pass',
    );
  });
  it("strict_min / strict_max exclude the bounds", async () => {
    expect((await one("expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: -3\nmax_value: 40")).success).toBe(true);
    const r = await one("expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: -3\nmax_value: 40\nstrict_min: true\nstrict_max: true");
    expect(r.bound).toBe("(-3, 40)");
    expect(r.examples).toEqual([{ row: 4, value: -3 }, { row: 5, value: 40 }]);
  });
  it("not null counts over every row; the example shows the null", async () => {
    const r = await one("expectation: expect_column_values_to_not_be_null\ncolumn: note");
    expect(r.message).toBe('expect_column_values_to_not_be_null on column "note" failed: 1 of 6 rows (16.6667%) fail the bound not null');
    expect(r.examples).toEqual([{ row: 5, value: null }]);
    expect((await one("expectation: expect_column_values_to_not_be_null\ncolumn: note\nmostly: 0.8")).success).toBe(true);
  });
  it("be null", async () => {
    const r = await one("expectation: expect_column_values_to_be_null\ncolumn: delay");
    expect(r).toMatchObject({ success: false, unexpected_count: 5 });
  });
  it("in set with quotes in values; unicode column name", async () => {
    expect((await one(`expectation: expect_column_values_to_be_in_set\ncolumn: note\nvalue_set: ["it's", 'say "hi"', x, y, z]`)).success).toBe(true);
    const r = await one(`expectation: expect_column_values_to_be_in_set\ncolumn: "naïve name"\nvalue_set: [b, c, e, f]`);
    expect(r.examples).toEqual([{ row: 1, value: "ä" }, { row: 4, value: "ä" }]);
    expect(r.message).toBe(`expect_column_values_to_be_in_set on column "naïve name" failed: 2 of 6 non-null values (33.3333%) fail the bound in {'b', 'c', 'e', 'f'}`);
  });
  it("regex and value lengths", async () => {
    const r = await one("expectation: expect_column_values_to_match_regex\ncolumn: carrier\nregex: '^A'");
    expect(r).toMatchObject({ success: false, unexpected_count: 3, bound: "matches /^A/" });
    expect((await one("expectation: expect_column_value_lengths_to_equal\ncolumn: carrier\nvalue: 2")).success).toBe(true);
  });
  it("a numeric value set on a text column is an error result naming the column", async () => {
    const r = await one("expectation: expect_column_values_to_be_between\ncolumn: carrier\nmin_value: 0");
    expect(r.message).toBe('expect_column_values_to_be_between on column "carrier" failed: column "carrier" is VARCHAR; this expectation needs a numeric column');
  });
});

describe("row conditions", () => {
  it("filters the rows the expectation judges; examples keep file row numbers", async () => {
    const r = await one(`expectation: expect_column_values_to_be_between\ncolumn: delay\nmax_value: 10\nrow_condition: "carrier = 'UA' OR carrier = 'DL'"`);
    expect(r).toMatchObject({ element_count: 3, unexpected_count: 2 });
    expect(r.examples).toEqual([{ row: 3, value: 12 }, { row: 5, value: 40 }]);
    const passing = await one(`expectation: expect_column_values_to_be_between\ncolumn: delay\nmin_value: 0\nrow_condition: "carrier = 'AA' AND NOT delay IS NULL"`);
    expect(passing).toMatchObject({ success: true, element_count: 2 });
  });
  it("compiles to bound SQL: literals are parameters, names quoted", () => {
    const params = new SqlParameters();
    const sql = compileRowCondition(parseRowCondition(`"naïve name" IN ('a''b', 'c') and not (x >= -1.5 or y is not null)`), params);
    expect(sql).toBe(`(("naïve name" IN ($1, $2)) AND (NOT (("x" >= $3) OR ("y" IS NOT NULL))))`);
    expect(params.values).toEqual(["a'b", "c", -1.5]);
  });
  it("refuses an injection attempt and other SQL", () => {
    expect(() => parseRowCondition("x = 1; DROP TABLE data")).toThrow(`row_condition "x = 1; DROP TABLE data": unexpected character ';'`);
    expect(() => parseRowCondition("x = y")).toThrow("expected a literal");
    expect(() => parseRowCondition("x = 'open")).toThrow("unterminated quote at position 5");
  });
  it("a condition naming no column fails the expectation", async () => {
    const r = await one(`expectation: expect_column_values_to_not_be_null\ncolumn: delay\nrow_condition: "nope = 1"`);
    expect(r.message).toBe(`expect_column_values_to_not_be_null on column "delay" where nope = 1 failed: the row_condition names no column "nope"`);
  });
});

describe("aggregate, table and schema expectations", () => {
  it("mean, median, stdev (ddof 1), min, max, sum, quantiles", async () => {
    expect((await one("expectation: expect_column_mean_to_be_between\ncolumn: delay\nmax_value: 10")).message).toBe(
      'expect_column_mean_to_be_between on column "delay" failed: observed 12.2, bound (-inf, 10]',
    );
    expect((await one("expectation: expect_column_median_to_be_between\ncolumn: delay\nmin_value: 7\nmax_value: 7")).success).toBe(true);
    // numpy: np.std([5, 12, -3, 40, 7], ddof=1)
    expect((await one("expectation: expect_column_stdev_to_be_between\ncolumn: delay\nmin_value: 0")).observed_value).toBeCloseTo(16.452963258939103, 12);
    expect((await one("expectation: expect_column_min_to_be_between\ncolumn: delay\nmin_value: -3\nmax_value: -3")).success).toBe(true);
    expect((await one("expectation: expect_column_sum_to_be_between\ncolumn: delay\nmin_value: 61\nmax_value: 61")).success).toBe(true);
    const q = await one("expectation: expect_column_quantile_values_to_be_between\ncolumn: delay\nquantile_ranges: {quantiles: [0.25, 0.75], value_ranges: [[5, 5], [null, 10]]}");
    expect(q.observed_value).toEqual([5, 12]);
    expect(q.message).toBe('expect_column_quantile_values_to_be_between on column "delay" failed: quantile 0.75 is 12, bound (-inf, 10]');
  });
  it("proportions and unique counts", async () => {
    expect((await one("expectation: expect_column_proportion_of_non_null_values_to_be_between\ncolumn: delay\nmin_value: 0.9")).observed_value).toBeCloseTo(5 / 6, 15);
    expect((await one("expectation: expect_column_unique_value_count_to_be_between\ncolumn: carrier\nmin_value: 3\nmax_value: 3")).success).toBe(true);
    expect((await one("expectation: expect_column_proportion_of_unique_values_to_be_between\ncolumn: carrier\nmin_value: 0.5\nstrict_min: true")).observed_value).toBe(0.5);
  });
  it("row count and columns", async () => {
    expect((await one("expectation: expect_table_row_count_to_equal\nvalue: 7")).message).toBe("expect_table_row_count_to_equal failed: observed 6, bound [7, 7]");
    expect((await one("expectation: expect_table_columns_to_match_ordered_list\ncolumn_list: [id, carrier, delay, naïve name, note]")).success).toBe(true);
    expect((await one("expectation: expect_table_columns_to_match_set\ncolumn_set: [id, extra]\nexact_match: false")).message).toContain(`missing {'extra'}`);
    expect((await one("expectation: expect_column_to_exist\ncolumn: naïve name")).success).toBe(true);
    expect((await one("expectation: expect_column_values_to_be_of_type\ncolumn: delay\ntype_: int")).success).toBe(true);
    expect((await one("expectation: expect_column_values_to_be_of_type\ncolumn: delay\ntype_: str")).message).toBe(
      'expect_column_values_to_be_of_type on column "delay" failed: observed BIGINT, bound type str',
    );
  });
});

describe("grouped expectations", () => {
  it("unique and compound unique with duplicated examples", async () => {
    const r = await one(`expectation: expect_column_values_to_be_unique\ncolumn: "naïve name"`);
    expect(r.message).toBe('expect_column_values_to_be_unique on column "naïve name" failed: 2 of 6 non-null values (33.3333%) are duplicated');
    expect(r.examples).toEqual([{ row: 1, value: "ä" }, { row: 4, value: "ä" }]);
    expect((await one(`expectation: expect_compound_columns_to_be_unique\ncolumn_list: [carrier, "naïve name"]`)).success).toBe(true);
    const c = await one(`expectation: expect_compound_columns_to_be_unique\ncolumn_list: [carrier]\nrow_condition: "id > 2"`);
    expect(c.examples).toEqual([{ row: 3, value: "UA" }, { row: 4, value: "UA" }]);
  });
  it("most common value and its share; distinct sets", async () => {
    expect((await one("expectation: expect_column_most_common_value_to_be_in_set\ncolumn: carrier\nvalue_set: [UA]")).message).toBe(
      `expect_column_most_common_value_to_be_in_set on column "carrier" failed: most common value {'AA'}, bound in {'UA'}`,
    );
    expect((await one("expectation: expect_column_most_common_value_share_to_be_between\ncolumn: carrier\nmax_value: 0.4")).message).toBe(
      `expect_column_most_common_value_share_to_be_between on column "carrier" failed: observed 0.5 (value {'AA'}), bound (-inf, 0.4]`,
    );
    expect((await one("expectation: expect_column_distinct_values_to_equal_set\ncolumn: carrier\nvalue_set: [AA, UA, B6]")).message).toBe(
      `expect_column_distinct_values_to_equal_set on column "carrier" failed: distinct values {'AA', 'DL', 'UA'} (unexpected {'DL'}, missing {'B6'})`,
    );
  });
  it("KL divergence equals scipy.stats.entropy on Great Expectations' partitions", async () => {
    // scipy.stats.entropy([3/6, 2/6, 1/6], [.5, .3, .2]) = 0.004733245753616493
    const cat = await one("expectation: expect_column_kl_divergence_to_be_less_than\ncolumn: carrier\npartition_object: {values: [AA, UA, DL], weights: [0.5, 0.3, 0.2]}\nthreshold: 0.1");
    expect(cat.success).toBe(true);
    expect(cat.observed_value as number).toBeCloseTo(0.004733245753616493, 14);
    // scipy.stats.entropy([0.2, 0.4, 0.4, 0], [0.05, 0.54, 0.36, 0.05]) = 0.19936124150697354 (tail_weight_holdout 0.1)
    const num = await one("expectation: expect_column_kl_divergence_to_be_less_than\ncolumn: delay\npartition_object: {bins: [0, 10, 50], weights: [0.6, 0.4]}\ntail_weight_holdout: 0.1\nthreshold: 0.1");
    expect(num.observed_value as number).toBeCloseTo(0.19936124150697354, 14);
    expect(num.message).toBe('expect_column_kl_divergence_to_be_less_than on column "delay" failed: KL divergence 0.1993612415, threshold 0.1');
    // An unexpected category with no holdout: infinite, observed null.
    const inf = await one("expectation: expect_column_kl_divergence_to_be_less_than\ncolumn: carrier\npartition_object: {values: [AA, UA], weights: [0.5, 0.5]}\nthreshold: 5");
    expect(inf).toMatchObject({ success: false, observed_value: null });
  });
});

describe("strict suite parsing", () => {
  it("names an unknown expectation, argument or type with its line", () => {
    expect(() => parseSuite("suite: s\nexpectations:\n  - expectation: expect_column_values_to_be_positive\n    column: x\n")).toThrow(
      "suite line 3: unknown expectation 'expect_column_values_to_be_positive'",
    );
    expect(() => parseSuite("suite: s\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: x\n    maxvalue: 3\n")).toThrow(
      "suite line 5: expect_column_values_to_be_between has no argument 'maxvalue'",
    );
    expect(() => parseSuite("suite: s\nexpectations:\n  - expectation: expect_column_values_to_be_between\n    column: x\n    min_value: 0\n    mostly: 2\n")).toThrow(
      "suite line 6: expect_column_values_to_be_between.mostly must be between 0 and 1, got 2",
    );
    expect(() => parseSuite("suite: s\nexpectations:\n  - expectation: expect_column_values_to_be_in_set\n    column: x\n")).toThrow(
      "suite line 3: expect_column_values_to_be_in_set is missing its argument 'value_set'",
    );
    expect(() => parseSuite("suite: s\nexpectatons: []\n")).toThrow("suite line 2: unknown key 'expectatons' in the suite");
    expect(() =>
      parseSuite(`suite: s\nexpectations:\n  - expectation: expect_column_values_to_not_be_null\n    column: x\n    row_condition: "x = 1; DROP TABLE data"\n`),
    ).toThrow(`suite line 3: expect_column_values_to_not_be_null: row_condition "x = 1; DROP TABLE data": unexpected character ';'`);
  });
});

describe("inferSuite", () => {
  it("round trip: the inferred YAML parses and validates cleanly against its own data", async () => {
    const inferred = await inferSuite(dataset, { name: "small" });
    const suite = parseSuite(suiteToYaml(inferred, "small.csv"));
    expect(suite.expectations.map((e) => e.expectation).slice(0, 2)).toEqual(["expect_table_columns_to_match_ordered_list", "expect_table_row_count_to_be_between"]);
    expect(inferred.expectations).toContainEqual({ expectation: "expect_table_row_count_to_be_between", min_value: 5, max_value: 7 });
    expect(inferred.expectations).toContainEqual({ expectation: "expect_column_values_to_be_between", column: "delay", min_value: -8, max_value: 45 });
    expect(inferred.expectations).toContainEqual({ expectation: "expect_column_values_to_not_be_null", column: "delay", mostly: 0.833 });
    expect(inferred.expectations).toContainEqual({ expectation: "expect_column_values_to_be_in_set", column: "note", value_set: ["it's", 'say "hi"', "x", "y", "z"] });
    const result = await validateDataset(dataset, suite);
    expect(result.success).toBe(true);
    expect(result.statistics).toEqual({ evaluated_expectations: 17, successful_expectations: 17, unsuccessful_expectations: 0, success_percent: 100 });
  });
});

describe("suite size limits (issue 12)", () => {
  // A 250 KB suite whose meta held 25,000 keys cost 3 to 4 s of event loop in the yaml package's duplicate-key check.
  it("parses a 250 KB suite of 25,000 meta keys in well under the 3 s it took", () => {
    const keys = Array.from({ length: 25_000 }, (_, i) => `  k${i}: 1`).join("\n");
    const text = `suite: s\nexpectations: []\nmeta:\n${keys}\n`;
    expect(text.length).toBeGreaterThan(250_000);
    const started = performance.now();
    expect(parseSuite(text)).toEqual({ suite: "s", expectations: [] });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("refuses a suite over 1 MiB, nested too deep or with a repeated key, naming the limit", () => {
    expect(() => parseSuite(`suite: s\nmeta: ${"x".repeat(1024 * 1024)}\n`)).toThrow("suite is 1048592 characters long, more than the limit of 1048576");
    expect(() => parseSuite(`suite: s\nmeta: ${"[".repeat(100_000)}\n`)).toThrow("suite is nested deeper than the limit of 64 levels");
    expect(() => parseSuite("suite: s\nexpectations: []\nsuite: t\n")).toThrow("suite line 3: map keys must be unique ('suite' repeats)");
  });
});
