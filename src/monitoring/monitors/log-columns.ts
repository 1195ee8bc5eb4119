import type { ColumnInfo, SqlValue } from "../../validation/dataset.js";
import type { LoggedTensor } from "../../serving/prediction-log/records.js";
import type { StoredPrediction } from "../../serving/prediction-log/store.js";

/**
 * The prediction log's tensors as table rows. A request of n rows has tensors whose first dimension is n: an input
 * of shape [n] or [n, 1] is one feature named after the input; an input [n, k] is k features, named by the model
 * signature's columns when there are exactly k of them (a column-based signature over one tensor), else
 * `<input>_<i>` (names that match no monitored feature: such a window compares nothing, and its checks say so as
 * errors). The names come per prediction from the version that answered it. The first output becomes `prediction` (its argmax when it has several columns: class scores), and
 * the label joined by request id becomes `label` (an array of n labels is spread over the rows).
 */
export interface WindowTable {
  features: ColumnInfo[];
  rows: Array<Record<string, SqlValue>>;
  /** Per row: the model's output and the label (undefined when none arrived), for quality. */
  predictions: SqlValue[];
  labels: Array<unknown>;
}

interface Parsed {
  rows: number;
  columns: Array<{ name: string; values: SqlValue[]; type: string }>;
}

const cell = (value: number | string | boolean | undefined): SqlValue => (value === undefined ? null : value);

const splitTensor = (inputName: string, tensor: LoggedTensor, signatureColumns: readonly string[] | undefined): Parsed => {
  const n = tensor.dims[0] ?? 1;
  const width = tensor.dims.length <= 1 ? 1 : tensor.dims.slice(1).reduce((a, b) => a * b, 1);
  const names =
    width === 1
      ? [inputName]
      : signatureColumns !== undefined && signatureColumns.length === width
        ? [...signatureColumns]
        : Array.from({ length: width }, (_, i) => `${inputName}_${i}`);
  const columns = names.map((name, j) => ({
    name,
    type: tensor.type,
    values: Array.from({ length: n }, (_, r) => cell(tensor.data[r * width + j])),
  }));
  return { rows: n, columns };
};

const sqlTypeOf = (type: string): { sqlType: string; kind: ColumnInfo["kind"] } => {
  if (type === "string") return { sqlType: "VARCHAR", kind: "categorical" };
  if (type === "bool") return { sqlType: "BOOLEAN", kind: "boolean" };
  if (/^u?int/.test(type)) return { sqlType: "BIGINT", kind: "numeric" };
  return { sqlType: "DOUBLE", kind: "numeric" };
};

const predictionValues = (outputs: Record<string, LoggedTensor>, n: number): SqlValue[] => {
  const first = Object.values(outputs)[0];
  if (first === undefined) return new Array<SqlValue>(n).fill(null);
  const width = first.dims.length <= 1 ? 1 : first.dims.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, r) => {
    if (width === 1) return cell(first.data[r]);
    let best = 0;
    for (let j = 1; j < width; j += 1) if (Number(first.data[r * width + j]) > Number(first.data[r * width + best])) best = j;
    return best;
  });
};

const labelValues = (label: string | undefined, n: number): unknown[] => {
  if (label === undefined) return new Array<unknown>(n).fill(undefined);
  const value = JSON.parse(label) as unknown;
  if (Array.isArray(value) && value.length === n && n !== 1) return value;
  return Array.from({ length: n }, () => value);
};

export const windowTable = (
  predictions: readonly StoredPrediction[],
  namesOf: (version: string) => readonly string[] | undefined = () => undefined,
): WindowTable => {
  const features = new Map<string, ColumnInfo>();
  const rows: Array<Record<string, SqlValue>> = [];
  const predicted: SqlValue[] = [];
  const labels: unknown[] = [];
  for (const p of predictions) {
    const inputs = JSON.parse(p.inputs) as Record<string, LoggedTensor | { omitted: true }>;
    // A request over the log's record limit kept only its tensors' shapes: it has no values to add to the window.
    if (Object.values(inputs).some((tensor) => "omitted" in tensor)) continue;
    const outputs = JSON.parse(p.outputs) as Record<string, LoggedTensor | { omitted: true }>;
    if (Object.values(outputs).some((tensor) => "omitted" in tensor)) continue;
    const parsed = Object.entries(inputs as Record<string, LoggedTensor>).map(([name, tensor]) => splitTensor(name, tensor, namesOf(p.version)));
    const n = parsed[0]?.rows ?? 0;
    const batch: Array<Record<string, SqlValue>> = Array.from({ length: n }, () => ({}));
    for (const part of parsed) {
      for (const column of part.columns) {
        if (!features.has(column.name)) features.set(column.name, { name: column.name, ...sqlTypeOf(column.type) });
        column.values.forEach((value, r) => {
          const row = batch[r];
          if (row !== undefined) row[column.name] = value;
        });
      }
    }
    // One request may carry 150,000 rows: appended one by one (a spread of that many arguments overflows the stack).
    for (const row of batch) rows.push(row);
    for (const value of predictionValues(outputs as Record<string, LoggedTensor>, n)) predicted.push(value);
    for (const label of labelValues(p.label?.value, n)) labels.push(label);
  }
  return { features: [...features.values()], rows, predictions: predicted, labels };
};

/** The newest `count` rows of a table (a window of last_rows counts rows, and a request may carry several). */
export const lastRows = (table: WindowTable, count: number): WindowTable => {
  if (table.rows.length <= count) return table;
  const from = table.rows.length - count;
  return { features: table.features, rows: table.rows.slice(from), predictions: table.predictions.slice(from), labels: table.labels.slice(from) };
};

/**
 * The window restricted to the monitored features (in their order), and the logged columns that are none of them.
 * A column missing from the window is simply not compared; when none is present the checks compare zero features.
 */
export const selectFeatures = (table: WindowTable, features: readonly string[]): { table: WindowTable; unmatched: string[] } => {
  const wanted = new Set(features);
  const byName = new Map(table.features.map((f) => [f.name, f]));
  const kept = features.flatMap((name) => {
    const info = byName.get(name);
    return info === undefined ? [] : [info];
  });
  const unmatched = table.features.filter((f) => !wanted.has(f.name)).map((f) => f.name);
  if (unmatched.length === 0 && kept.length === table.features.length) return { table: { ...table, features: kept }, unmatched };
  const rows = table.rows.map((row) => {
    const out: Record<string, SqlValue> = {};
    for (const f of kept) out[f.name] = row[f.name] ?? null;
    return out;
  });
  return { table: { ...table, features: kept, rows }, unmatched };
};
