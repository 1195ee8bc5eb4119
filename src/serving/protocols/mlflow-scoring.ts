import { CairnError, ErrorCode } from "../../core/errors.js";
import { checkJsonDepth } from "../../server/json.js";
import type { ElementType, Tensor, TensorMap, TensorSpec } from "../tensor.js";
import { checkFeeds } from "./check-feeds.js";
import { parseCsvFrame, type Frame } from "./csv-frame.js";
import { badInput, elementCount, flattenNested, jsonValuesOf, nest, tensorDataOf, type JsonScalar } from "./tensor-values.js";

/**
 * MLflow's scoring protocol (mlflow/pyfunc/scoring_server) for ONNX models, decoded as mlflow.onnx's
 * _OnnxModelWrapper.predict maps pandas and numpy inputs onto the graph:
 * - a DataFrame (dataframe_split, dataframe_records, text/csv): with several graph inputs each input takes the
 *   column of its name; with one input all columns are stacked into it ([rows, columns]), in the signature's
 *   column order when the model has one;
 * - `inputs` / `instances`: a dict maps names to tensors, a bare list is the single input's tensor.
 * Predictions come back as MLflow writes them: DataFrame inputs give records ([{output: value}, ...], each output
 * flattened as the wrapper's reshape(-1) does), tensor inputs a dict {output: nested list}.
 */
export type PredictionForm = "records" | "tensors";

export interface ScoringRequest {
  feeds: TensorMap;
  form: PredictionForm;
}

export interface ScoringModel {
  inputs: readonly TensorSpec[];
  signatureColumns?: readonly string[] | undefined;
}

const FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields {${FORMATS.map((f) => `'${f}'`).join(", ")}}`;

/** MLflow answers a content type it cannot read with a 415 in plain text; routes render this error that way. */
export const unsupportedMediaType = (message: string): CairnError =>
  new CairnError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message, { status: 415 });

/** "json" or "csv" from a Content-Type header, with MLflow's 415 refusals (other types, charsets, parameters). */
export const scoringContentType = (header: string | undefined): "json" | "csv" => {
  const [mime = "", ...parameters] = (header ?? "").split(";").map((part) => part.trim());
  const values = new Map(parameters.filter((p) => p !== "").map((p) => [p.split("=")[0]?.trim().toLowerCase() ?? "", p.slice(p.indexOf("=") + 1).trim()]));
  if ((values.get("charset") ?? "utf-8").toLowerCase().replace(/^"|"$/g, "") !== "utf-8") {
    throw unsupportedMediaType("The scoring server only supports UTF-8");
  }
  const unexpected = [...values.keys()].filter((key) => key !== "charset");
  if (unexpected.length > 0) throw unsupportedMediaType(`Unrecognized content type parameters: ${unexpected.join(", ")}.`);
  const lower = mime.toLowerCase();
  if (lower === "application/json") return "json";
  if (lower === "text/csv") return "csv";
  throw unsupportedMediaType(
    `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${header ?? ""}'.`,
  );
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A CSV cell read as the model's element type: empty is missing (NaN), pandas' True/False are booleans. */
const csvCell = (type: ElementType, cell: unknown): unknown => {
  if (type === "string" || typeof cell !== "string") return cell;
  const text = cell.trim();
  if (text === "") return null;
  if (type === "bool") {
    if (/^true$/i.test(text)) return true;
    if (/^false$/i.test(text)) return false;
  }
  const number = Number(text);
  if (Number.isNaN(number)) return text === "NaN" || /^-?inf(inity)?$/i.test(text) ? text.replace(/^(-?)inf$/i, "$1Infinity") : cell;
  return /^-?\d{16,}$/.test(text) ? text : number; // long integers stay exact for int64 inputs
};

/** Appends trailing 1-dims when the model wants them ([n] -> [n, 1]) so a column feeds a [batch, 1] input. */
const fitRank = (spec: TensorSpec, dims: number[]): number[] => {
  const fitted = [...dims];
  while (fitted.length < spec.shape.length && (spec.shape[fitted.length] === 1 || spec.shape[fitted.length] === null)) fitted.push(1);
  return fitted;
};

const tensorOf = (spec: TensorSpec, dims: number[], values: unknown[], fromCsv: boolean): Tensor => {
  const cells = fromCsv ? values.map((cell) => csvCell(spec.type, cell)) : values;
  return { type: spec.type, dims, data: tensorDataOf(spec.name, spec.type, cells) };
};

/** A nested value (a column's cells, an `inputs` entry) as the tensor of one graph input. */
const nestedTensor = (spec: TensorSpec, value: unknown, fromCsv = false): Tensor => {
  const { dims, values } = flattenNested(spec.name, value);
  const fitted = fitRank(spec, dims);
  if (elementCount(fitted) !== values.length) throw badInput(`Input '${spec.name}': cannot shape ${values.length} values as ${fitted.join("x")}.`);
  return tensorOf(spec, fitted, values, fromCsv);
};

const quoteList = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(", ");

const frameFeeds = (frame: Frame, model: ScoringModel): TensorMap => {
  const { inputs } = model;
  const index = new Map(frame.columns.map((column, i) => [column, i]));
  if (index.size !== frame.columns.length) throw badInput(`Duplicate column names in ${quoteList(frame.columns)}.`);
  const column = (name: string): unknown[] => {
    const at = index.get(name);
    if (at === undefined) throw badInput(`Missing column '${name}': the model expects columns ${quoteList(expected)}.`);
    return frame.rows.map((row) => row[at] ?? null);
  };
  const expected = inputs.length > 1 ? inputs.map((spec) => spec.name) : model.signatureColumns ?? frame.columns;
  const extra = frame.columns.filter((c) => !expected.includes(c));
  if (extra.length > 0) throw badInput(`Unknown column${extra.length > 1 ? "s" : ""} ${quoteList(extra)}: the model expects columns ${quoteList(expected)}.`);
  if (inputs.length > 1) {
    return Object.fromEntries(inputs.map((spec) => [spec.name, nestedTensor(spec, column(spec.name), frame.fromCsv)]));
  }
  const [spec] = inputs;
  if (spec === undefined) throw badInput("The model has no inputs.");
  const columns = expected.map(column);
  const n = frame.rows.length;
  // One column of tensors (each cell a list) is that tensor batched; otherwise scalar columns stack side by side.
  if (columns.length === 1 && columns[0]?.some(Array.isArray)) return { [spec.name]: nestedTensor(spec, columns[0], frame.fromCsv) };
  const values: unknown[] = new Array<unknown>(n * columns.length);
  for (let r = 0; r < n; r++) for (let c = 0; c < columns.length; c++) values[r * columns.length + c] = columns[c]?.[r];
  const dims = spec.shape.length === 1 && columns.length === 1 ? [n] : [n, columns.length];
  return { [spec.name]: tensorOf(spec, dims, values, frame.fromCsv) };
};

const splitFrame = (value: unknown): Frame => {
  if (!isObject(value)) throw badInput("dataframe_split must be an object with 'columns' and 'data'.");
  const { columns, data } = value;
  if (!Array.isArray(data)) throw badInput("dataframe_split.data must be a list of rows.");
  const width = Array.isArray(data[0]) ? data[0].length : 0;
  const names = columns === undefined ? Array.from({ length: width }, (_, i) => String(i)) : columns;
  if (!Array.isArray(names) || !names.every((c) => typeof c === "string" || typeof c === "number")) {
    throw badInput("dataframe_split.columns must be a list of column names.");
  }
  data.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== names.length) {
      throw badInput(`dataframe_split.data[${i}] must be a list of ${names.length} values (one per column).`);
    }
  });
  return { columns: names.map(String), rows: data as unknown[][], fromCsv: false };
};

const recordsFrame = (records: unknown[], field: string): Frame => {
  const columns: string[] = [];
  const seen = new Set<string>();
  records.forEach((record, i) => {
    if (!isObject(record)) throw badInput(`${field}[${i}] must be an object of column values.`);
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  });
  const rows = records.map((record) => columns.map((c) => (record as Record<string, unknown>)[c] ?? null));
  return { columns, rows, fromCsv: false };
};

const tensorFeeds = (value: unknown, model: ScoringModel, field: string): TensorMap => {
  const { inputs } = model;
  if (isObject(value)) {
    const byName = new Map(inputs.map((spec) => [spec.name, spec]));
    return Object.fromEntries(
      Object.entries(value).map(([name, nested]) => {
        const spec = byName.get(name);
        if (spec === undefined) throw badInput(`Unknown input '${name}': the model's inputs are ${quoteList([...byName.keys()])}.`);
        return [name, nestedTensor(spec, nested)];
      }),
    );
  }
  const [spec] = inputs;
  if (inputs.length !== 1 || spec === undefined) {
    throw badInput(
      `Unable to map a ${field} list to the model's inputs: a list can only feed a model with a single input; this model ` +
        `requires ${inputs.length} inputs. Pass a dictionary with the tensors ${quoteList(inputs.map((s) => s.name))}.`,
    );
  }
  return { [spec.name]: nestedTensor(spec, value) };
};

/** Decodes a parsed JSON body (exactly one of the four formats, params an optional object). */
export const decodeScoringJson = (body: unknown, model: ScoringModel): ScoringRequest => {
  if (!isObject(body)) {
    throw badInput(`${REQUIRED_INPUT_FORMAT}. ${Array.isArray(body) ? "Received a list" : `Received unexpected input type '${typeof body}'`}.`);
  }
  const formats = FORMATS.filter((f) => f in body);
  const [format] = formats;
  if (formats.length !== 1 || format === undefined) {
    throw badInput(`${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ${JSON.stringify(Object.keys(body))}.`);
  }
  const params = body.params;
  if (params !== undefined && params !== null && !isObject(params)) throw badInput("params must be a JSON object of parameter values.");
  const value = body[format];
  let feeds: TensorMap;
  let form: PredictionForm;
  if (format === "dataframe_split") {
    feeds = frameFeeds(splitFrame(value), model);
    form = "records";
  } else if (format === "dataframe_records") {
    if (!Array.isArray(value)) throw badInput("dataframe_records must be a list of records.");
    feeds = frameFeeds(recordsFrame(value, format), model);
    form = "records";
  } else {
    // A list of objects under `instances` is records turned into columns (TF serving's row format).
    const records = format === "instances" && Array.isArray(value) && value.length > 0 && isObject(value[0]);
    if (value === null || (typeof value !== "object")) throw badInput(`${format} must be a list or a dictionary of tensors.`);
    if (records && (model.inputs.length === 1 || model.signatureColumns)) {
      feeds = frameFeeds(recordsFrame(value as unknown[], format), model);
    } else if (records) {
      const frame = recordsFrame(value as unknown[], format);
      const columns = Object.fromEntries(frame.columns.map((c, i) => [c, frame.rows.map((row) => row[i])]));
      feeds = tensorFeeds(columns, model, format);
    } else {
      feeds = tensorFeeds(value, model, format);
    }
    // With a column-based signature MLflow turns tensor input into a DataFrame first, so predictions are records.
    form = model.signatureColumns ? "records" : "tensors";
  }
  checkFeeds(feeds, model.inputs);
  return { feeds, form };
};

export const decodeScoringRequest = (text: string, contentType: string | undefined, model: ScoringModel): ScoringRequest => {
  const kind = scoringContentType(contentType);
  if (kind === "csv") {
    const feeds = frameFeeds(parseCsvFrame(text), model);
    checkFeeds(feeds, model.inputs);
    return { feeds, form: "records" };
  }
  let body: unknown;
  try {
    checkJsonDepth(text);
    body = JSON.parse(text);
  } catch (error) {
    throw badInput(`Ensure that input is a valid JSON formatted string. Error: '${(error as Error).message}'`);
  }
  return decodeScoringJson(body, model);
};

/** Predictions as MLflow's ONNX flavor returns them for the request's form, in the model's output order. */
export const encodePredictions = (outputs: TensorMap, order: readonly string[], form: PredictionForm): unknown => {
  const present = order.filter((name) => outputs[name] !== undefined);
  const valuesOf = new Map(present.map((name) => [name, jsonValuesOf(outputs[name] as Tensor)]));
  if (form === "records") {
    const lengths = new Set(present.map((name) => valuesOf.get(name)?.length));
    if (lengths.size === 1) {
      // pandas.DataFrame.from_dict({name: output.reshape(-1)}).to_dict(orient="records")
      const n = [...lengths][0] ?? 0;
      return Array.from({ length: n }, (_, i) => Object.fromEntries(present.map((name) => [name, valuesOf.get(name)?.[i] ?? null])));
    }
    // Outputs of different sizes (labels [n] beside probabilities [n, k]) fail in MLflow's DataFrame; here each
    // row gets its slice of every output when they share the batch dimension.
    const rows = new Set(present.map((name) => (outputs[name] as Tensor).dims[0]));
    const [n] = [...rows];
    if (rows.size === 1 && n !== undefined) {
      return Array.from({ length: n }, (_, i) =>
        Object.fromEntries(
          present.map((name) => {
            const tensor = outputs[name] as Tensor;
            const inner = tensor.dims.slice(1);
            const size = elementCount(inner);
            return [name, nest((valuesOf.get(name) ?? []).slice(i * size, (i + 1) * size) as JsonScalar[], inner)];
          }),
        ),
      );
    }
  }
  return Object.fromEntries(present.map((name) => [name, nest(valuesOf.get(name) ?? [], (outputs[name] as Tensor).dims)]));
};
