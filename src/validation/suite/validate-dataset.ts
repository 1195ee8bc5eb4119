/**
 * Runs a suite against a dataset: schema expectations from the column list, every count and statistic of the map,
 * aggregate and table expectations in one scan per distinct row condition, grouped ones in a GROUP BY each, and
 * example rows only for what failed.
 */
import type { Dataset } from "../dataset.js";
import { AggregateQuery } from "./aggregate-query.js";
import { planAggregateCheck, planTableCheck } from "./aggregate-checks.js";
import { CATALOGUE } from "./catalogue.js";
import { driftCheck } from "./drift-checks.js";
import { groupedCheck } from "./grouped-checks.js";
import { type Finisher, planMapCheck } from "./map-checks.js";
import type { ExpectationResult, ValidationResult } from "./result.js";
import { ReferenceDatasets, type ReferenceOptions } from "./reference-datasets.js";
import { conditionColumns } from "./row-condition.js";
import { schemaCheck } from "./schema-checks.js";
import { errorResult, type Scope } from "./scope.js";
import type { Expectation, Suite } from "./suite.js";

type Pending = { index: number; run: () => Promise<ExpectationResult> };

export type ValidateOptions = ReferenceOptions;

export const validateDataset = async (dataset: Dataset, suite: Suite, options: ValidateOptions = {}): Promise<ValidationResult> => {
  const started = performance.now();
  const scope: Scope = { dataset, columns: new Map(dataset.columns.map((column) => [column.name, column])) };
  const results: Array<ExpectationResult | undefined> = new Array(suite.expectations.length);
  const queries = new Map<string, AggregateQuery>();
  const planned: Array<{ index: number; query: AggregateQuery; finish: Finisher }> = [];
  const grouped: Pending[] = [];
  const drift: Pending[] = [];
  const references = new ReferenceDatasets(options);

  const queryFor = (expectation: Expectation): AggregateQuery => {
    const key = typeof expectation.kwargs.row_condition === "string" ? expectation.kwargs.row_condition : "";
    let query = queries.get(key);
    if (!query) {
      query = new AggregateQuery(expectation.rowCondition);
      queries.set(key, query);
    }
    return query;
  };

  suite.expectations.forEach((expectation, index) => {
    const family = CATALOGUE[expectation.expectation].family;
    const unknown = expectation.rowCondition ? conditionColumns(expectation.rowCondition).find((name) => !scope.columns.has(name)) : undefined;
    if (unknown !== undefined) {
      results[index] = errorResult(expectation, `the row_condition names no column "${unknown}"`);
      return;
    }
    if (family === "schema") {
      results[index] = schemaCheck(expectation, scope);
      return;
    }
    if (family === "drift") {
      drift.push({ index, run: () => driftCheck(expectation, dataset, references) });
      return;
    }
    if (family === "grouped") {
      grouped.push({ index, run: () => groupedCheck(expectation, scope) });
      return;
    }
    const query = queryFor(expectation);
    const plan = family === "table" ? planTableCheck(expectation, query) : family === "map" ? planMapCheck(expectation, scope, query) : planAggregateCheck(expectation, scope, query);
    if (typeof plan === "function") planned.push({ index, query, finish: plan });
    else results[index] = plan;
  });

  // DuckDB parallelises each scan internally; running the queries one after another keeps memory flat.
  const rows = new Map<AggregateQuery, Awaited<ReturnType<AggregateQuery["run"]>>>();
  for (const query of queries.values()) rows.set(query, await query.run(dataset));
  for (const { index, query, finish } of planned) results[index] = await finish(rows.get(query) ?? {});
  for (const { index, run } of grouped) results[index] = await run();
  try {
    for (const { index, run } of drift) results[index] = await run();
  } finally {
    await references.closeAll();
  }

  const done = results.filter((result): result is ExpectationResult => result !== undefined);
  const successful = done.filter((result) => result.success).length;
  return {
    schema_version: 1,
    suite: suite.suite,
    source: dataset.source,
    success: successful === done.length,
    statistics: {
      evaluated_expectations: done.length,
      successful_expectations: successful,
      unsuccessful_expectations: done.length - successful,
      success_percent: done.length === 0 ? 100 : (successful / done.length) * 100,
    },
    results: done,
    duration_ms: Math.round(performance.now() - started),
  };
};
