/**
 * `cairn data infer-suite FILE [-o suite.yaml]`: a data-test suite derived from reference data, printed as YAML or
 * written to a file; `cairn data validate` of the same file against it passes.
 */
import { writeFile } from "node:fs/promises";
import { invalidParameter } from "../../core/errors.js";
import { openDataset } from "../../validation/duckdb/index.js";
import { inferSuite, suiteToYaml, type InferredSuite } from "../../validation/suite/index.js";
import type { CommandResult } from "../output.js";

export interface DataInferSuiteOptions {
  output?: string;
  name?: string;
  maxCategories?: string;
  margin?: string;
}

const parseNumber = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw invalidParameter(`${flag} must be a number, got '${text}'`);
  return value;
};

export const dataInferSuite = async (file: string, options: DataInferSuiteOptions = {}): Promise<CommandResult<InferredSuite>> => {
  const maxCategories = parseNumber("--max-categories", options.maxCategories);
  const rangeMargin = parseNumber("--margin", options.margin);
  const dataset = await openDataset(file);
  try {
    const suite = await inferSuite(dataset, { name: options.name, maxCategories, rangeMargin });
    const yaml = suiteToYaml(suite, file);
    if (options.output !== undefined) {
      await writeFile(options.output, yaml, "utf8");
      return { data: suite, human: { kind: "message", text: `wrote ${suite.expectations.length} expectations to ${options.output}` } };
    }
    return { data: suite, human: { kind: "message", text: yaml.trimEnd() } };
  } finally {
    await dataset.close();
  }
};
