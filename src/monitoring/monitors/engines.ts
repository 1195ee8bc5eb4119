import { computeDrift, type ColumnMethodChoice } from "../drift/dataset-drift.js";
import { parseColumnMethod } from "../drift/column-method-spec.js";
import type { Dataset } from "../../validation/dataset.js";
import { openDataset } from "../../validation/duckdb/open-dataset.js";
import { openRowsDataset } from "../../validation/duckdb/open-rows-dataset.js";
import { parseSuite } from "../../validation/suite/parse-suite.js";
import type { SuiteParserThread } from "../../validation/suite/parse-suite-off-thread.js";
import type { Suite } from "../../validation/suite/suite.js";
import { validateDataset } from "../../validation/suite/validate-dataset.js";
import type { MonitorDependencies } from "./dependencies.js";

/**
 * The engines of the other parts of issue 5, as a monitor uses them: datasets over DuckDB (files and the window's
 * rows), drift against a reference file (Evidently's defaults, `method[:threshold]` per column) and data-test
 * suites. The composition root adds the prediction log, deployments and model information.
 */
export type MonitorEngines = Pick<MonitorDependencies, "openRows" | "openFile" | "driftAgainstFile" | "parseSuite" | "runSuite">;

export interface MonitorEngineOptions {
  /**
   * Opens reference data named in a monitor (its drift reference, its suite's drift expectations). The server passes
   * artifactReferenceOpener, which reads only from the artifact store; the default reads local paths (library use).
   */
  openReference?: (reference: string) => Promise<Dataset>;
  /** Parses suites on a worker thread (the server passes one); default: inline. */
  suiteParser?: SuiteParserThread;
}

export const monitorEngines = (options: MonitorEngineOptions = {}): MonitorEngines => ({
  openRows: (columns, rows, source) => openRowsDataset(columns, rows, source),
  openFile: options.openReference ?? ((path) => openDataset(path)),
  driftAgainstFile: async (reference, current, options) => {
    const columnMethods: Record<string, ColumnMethodChoice> = {};
    for (const [column, spec] of Object.entries(options.methods ?? {})) columnMethods[column] = parseColumnMethod(`${column}=${spec}`)[1];
    const result = await computeDrift(reference, current, {
      columnMethods,
      distributions: false,
      ...(options.driftShare !== undefined ? { driftShare: options.driftShare } : {}),
    });
    return result;
  },
  // Off the event loop: a suite may be 256 KiB, which the YAML parser takes up to a second over.
  parseSuite: (yaml) => (options.suiteParser ? options.suiteParser.parse(yaml, "monitor suite") : parseSuite(yaml, "monitor suite")),
  runSuite: async (dataset, suite) => {
    const result = await validateDataset(dataset, suite as Suite, options.openReference ? { open: options.openReference } : {});
    return {
      success: result.success,
      results: result.results.map((r) => ({
        expectation: r.expectation,
        ...(r.column !== undefined ? { column: r.column } : {}),
        success: r.success,
        observed_value: r.observed_value,
        message: r.message,
      })),
    };
  },
});
