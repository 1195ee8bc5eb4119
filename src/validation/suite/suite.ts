/** A parsed data-test suite: what the YAML says, checked, with each expectation's source line for messages. */
import type { ExpectationName } from "./catalogue.js";
import type { RowCondition } from "./row-condition.js";

export type SuiteScalar = number | string | boolean;

export interface QuantileRanges {
  quantiles: number[];
  /** One [min, max] per quantile; null leaves that side open. */
  value_ranges: Array<[number | null, number | null]>;
}

/** Great Expectations' partition object: `bins` (n+1 edges) for numbers or `values` for categories, with weights. */
export interface PartitionObject {
  bins?: number[];
  values?: SuiteScalar[];
  weights: number[];
  tail_weights?: [number, number];
}

export type ArgumentValue = SuiteScalar | string[] | SuiteScalar[] | QuantileRanges | PartitionObject;

export interface Expectation {
  expectation: ExpectationName;
  /** The arguments as written (Great Expectations' names), row_condition included as text. */
  kwargs: Readonly<Record<string, ArgumentValue>>;
  rowCondition?: RowCondition;
  /** 1-based line of the expectation in the suite file (0 for suites built in code). */
  line: number;
}

export interface Suite {
  suite: string;
  expectations: Expectation[];
}
