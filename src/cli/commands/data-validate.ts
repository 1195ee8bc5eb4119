/**
 * `cairn data validate FILE --suite S`: runs a data-test suite against a file in DuckDB and prints one row per
 * expectation (or the versioned JSON with --json). A failed expectation is a failed check: the result is printed and
 * the exit code is 1; a suite that does not parse, or a missing file, is a usage error (2).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { openDataset } from "../../validation/duckdb/index.js";
import { formatValue } from "../../validation/suite/bounds.js";
import { parseSuite, validateDataset, type ExpectationResult, type ValidationResult } from "../../validation/suite/index.js";
import type { CommandResult } from "../output.js";

const observed = (result: ExpectationResult): string => {
  if (result.unexpected_count !== undefined && result.unexpected_percent !== undefined) {
    return `${result.unexpected_count} unexpected (${Number(result.unexpected_percent.toFixed(4))}%)`;
  }
  const value = result.observed_value;
  if (value === null) return "-";
  return Array.isArray(value) ? `[${value.map(formatValue).join(", ")}]` : formatValue(value);
};

const examples = (result: ExpectationResult): string =>
  result.examples.map((example) => `row ${example.row}: ${Array.isArray(example.value) ? `(${example.value.map(formatValue).join(", ")})` : formatValue(example.value)}`).join("; ");

export const readSuiteFile = async (path: string) => {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Suite file '${path}' cannot be read (${error.code ?? error.message})`);
  });
  return parseSuite(text, path);
};

export const dataValidate = async (file: string, options: { suite: string }): Promise<CommandResult<ValidationResult>> => {
  const suite = await readSuiteFile(options.suite);
  const dataset = await openDataset(file);
  try {
    // Drift expectations name their reference file relative to the suite file, so a suite travels with its data.
    const result = await validateDataset(dataset, suite, { referenceDir: path.dirname(path.resolve(options.suite)) });
    const { statistics } = result;
    return {
      data: result,
      human: {
        kind: "table",
        columns: ["STATUS", "COLUMN", "EXPECTATION", "OBSERVED", "BOUND", "EXAMPLES"],
        rows: [
          ...result.results.map((r) => [
            r.success ? "ok" : "FAIL",
            r.column ?? r.column_list?.join(", ") ?? "-",
            r.row_condition ? `${r.expectation} where ${r.row_condition}` : r.expectation,
            observed(r),
            r.bound,
            examples(r),
          ]),
          [result.success ? "PASSED" : "FAILED", "", `${statistics.successful_expectations} of ${statistics.evaluated_expectations} expectations met`, "", "", ""],
        ],
        empty: "the suite has no expectations",
      },
      exitCode: result.success ? 0 : 1,
    };
  } finally {
    await dataset.close();
  }
};
