import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CairnClient } from "../../sdk/client.js";
import type { MlflowScoringBody, OipInferRequest, OipInferResponse, OipTensor } from "../../sdk/serving-api.js";
import { UsageError } from "../errors.js";
import type { CommandResult } from "../output.js";

export type PredictProtocol = "mlflow" | "oip";

export interface PredictFlags {
  input?: string;
  protocol?: string;
  requestId?: string;
  routingKey?: string;
}

export type PredictData = { protocol: "mlflow"; predictions: unknown; request_id?: string; version?: string } | ({ protocol: "oip" } & OipInferResponse);

const parseProtocol = (text: string | undefined): PredictProtocol => {
  const value = (text ?? "mlflow").toLowerCase();
  if (value !== "mlflow" && value !== "oip") throw new UsageError(`--protocol must be mlflow or oip, got '${text}'`);
  return value;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A cell as a table shows it: numbers compactly, arrays and objects as JSON. */
const cell = (value: unknown): string => {
  if (typeof value === "number") return String(Number(value.toPrecision(6)));
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "-";
};

/**
 * MLflow's predictions as rows: a list (one output) is one column; an object of lists (several outputs) is one column
 * per output; a list of records is one column per key.
 */
export const mlflowRows = (predictions: unknown): { columns: string[]; rows: string[][] } => {
  if (Array.isArray(predictions)) {
    if (predictions.length > 0 && predictions.every(isObject)) {
      const keys = [...new Set(predictions.flatMap((record) => Object.keys(record)))];
      return { columns: ["ROW", ...keys], rows: predictions.map((record, i) => [String(i), ...keys.map((k) => cell(record[k]))]) };
    }
    return { columns: ["ROW", "PREDICTION"], rows: predictions.map((value, i) => [String(i), cell(value)]) };
  }
  if (isObject(predictions)) {
    const keys = Object.keys(predictions);
    const lists = keys.map((k) => (Array.isArray(predictions[k]) ? (predictions[k] as unknown[]) : [predictions[k]]));
    const count = Math.max(0, ...lists.map((l) => l.length));
    return { columns: ["ROW", ...keys], rows: Array.from({ length: count }, (_, i) => [String(i), ...lists.map((l) => cell(l[i]))]) };
  }
  return { columns: ["PREDICTION"], rows: [[cell(predictions)]] };
};

/**
 * What MLflow's scoring answered, in words: the table flattens each form differently, and a person comparing it with
 * MLflow's JSON must know which one it was (docs/serving.md, "What the scoring output looks like").
 */
export const mlflowShape = (predictions: unknown): string => {
  if (Array.isArray(predictions)) {
    if (predictions.length > 0 && predictions.every(isObject)) {
      return "MLflow's output for a DataFrame input: records, one column per model output; an output with several values per row is flattened into that many records per row (docs/serving.md)";
    }
    return "MLflow's output as a list: one prediction per row";
  }
  if (isObject(predictions)) return "MLflow's output for a tensor input: {output: nested list}, one column per output, one line per row";
  return "MLflow's output as a single value";
};

/**
 * The line `cairn predict` prints on stderr before its table: which version answered (the server's
 * x-cairn-model-version header, or the OIP answer's model_version), how many predictions, and their form.
 */
export const predictNotice = (deployment: string, version: string | undefined, source: string, count: number, shape: string): string =>
  `${deployment}: ${version === undefined ? "version not reported by the server" : `version ${version} (${source})`}, ${count} ${count === 1 ? "prediction" : "predictions"}; ${shape}.`;

/** Flattens nested row-major data (OIP allows both). */
const flat = (data: unknown[]): unknown[] => data.flat(Number.POSITIVE_INFINITY);

/** One row per index of the first dimension; a row with more than one element shows as a JSON list. */
const tensorRows = (tensor: OipTensor): unknown[] => {
  const values = flat(tensor.data);
  if (tensor.shape.length === 0) return values;
  const rows = tensor.shape[0] ?? 0;
  const width = rows === 0 ? 0 : values.length / rows;
  return Array.from({ length: rows }, (_, i) => (width === 1 ? values[i] : values.slice(i * width, (i + 1) * width)));
};

export const oipRows = (outputs: OipTensor[]): { columns: string[]; rows: string[][] } => {
  const perOutput = outputs.map(tensorRows);
  const count = Math.max(0, ...perOutput.map((r) => r.length));
  return {
    columns: ["ROW", ...outputs.map((o) => o.name)],
    rows: Array.from({ length: count }, (_, i) => [String(i), ...perOutput.map((r) => cell(r[i]))]),
  };
};

const readInput = async (file: string): Promise<{ kind: "json"; value: unknown } | { kind: "csv"; text: string }> => {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`--input: cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const extension = path.extname(file).toLowerCase();
  if (extension === ".csv") return { kind: "csv", text };
  if (extension !== ".json") throw new UsageError(`--input must be a .json or .csv file, got '${file}'`);
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new UsageError(`--input: '${file}' is not valid JSON: ${(error as Error).message}`);
  }
};

const MLFLOW_KEYS = ["dataframe_split", "dataframe_records", "instances", "inputs"];

/**
 * `cairn predict DEPLOYMENT --input FILE`: a JSON file is sent as it is (an MLflow scoring body, or with
 * --protocol oip an Open Inference Protocol infer request); a CSV file goes to MLflow scoring as text/csv.
 */
export const predict = async (client: CairnClient, deployment: string, flags: PredictFlags): Promise<CommandResult<PredictData>> => {
  if (flags.input === undefined) throw new UsageError("--input FILE.json|FILE.csv is required");
  const protocol = parseProtocol(flags.protocol);
  const input = await readInput(flags.input);
  const options = { requestId: flags.requestId, routingKey: flags.routingKey };
  if (protocol === "oip") {
    if (input.kind !== "json" || !isObject(input.value) || !Array.isArray(input.value.inputs)) {
      throw new UsageError(`--protocol oip needs a JSON file with an infer request {"inputs": [{"name", "shape", "datatype", "data"}]}, got '${flags.input}'`);
    }
    const answer = await client.serving.infer(deployment, input.value as unknown as OipInferRequest, options);
    const { columns, rows } = oipRows(answer.outputs);
    return {
      data: { protocol, ...answer },
      human: { kind: "table", columns, rows, empty: "No outputs." },
      notice: predictNotice(deployment, answer.model_version, "model_version", rows.length, "Open Inference Protocol outputs: one column per output tensor, one line per index of its first dimension"),
    };
  }
  let result;
  if (input.kind === "csv") {
    result = await client.serving.predictCsv(deployment, input.text, options);
  } else {
    if (!isObject(input.value) || !MLFLOW_KEYS.some((key) => key in (input.value as Record<string, unknown>))) {
      throw new UsageError(`--input: '${flags.input}' must hold a JSON object with one of ${MLFLOW_KEYS.join(", ")}`);
    }
    result = await client.serving.predict(deployment, input.value as MlflowScoringBody, options);
  }
  const { columns, rows } = mlflowRows(result.predictions);
  const data: PredictData = { protocol, predictions: result.predictions };
  if (result.requestId !== undefined) data.request_id = result.requestId;
  if (result.version !== undefined) data.version = result.version;
  return {
    data,
    human: { kind: "table", columns, rows, empty: "No predictions." },
    notice: predictNotice(deployment, result.version, "x-cairn-model-version", rows.length, mlflowShape(result.predictions)),
  };
};
