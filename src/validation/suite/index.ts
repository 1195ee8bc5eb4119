export { CATALOGUE, type ExpectationName, isExpectationName } from "./catalogue.js";
export { parseSuite } from "./parse-suite.js";
export { parseRowCondition, compileRowCondition, SqlParameters, type RowCondition } from "./row-condition.js";
export { validateDataset, type ValidateOptions } from "./validate-dataset.js";
export type { ReferenceOptions } from "./reference-datasets.js";
export { inferSuite, suiteToYaml, type InferSuiteOptions, type InferredSuite } from "./infer-suite.js";
export type { Suite, Expectation } from "./suite.js";
export type { ValidationResult, ExpectationResult, ExampleRow } from "./result.js";
