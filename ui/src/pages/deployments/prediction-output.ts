import { formatNumber } from "../../format";

/**
 * What a logged request predicted, in a table cell. The prediction log stores each output tensor as
 * `{ "<name>": { dims, type, data } }` (src/serving/prediction-log/records.ts); a request may carry a batch of rows.
 * The wire is read defensively: anything else shows as its JSON, cut.
 */

const MAX_VALUES = 4;
const MAX_TEXT = 80;

interface Tensor {
  dims: number[];
  data: unknown[];
}

const isTensor = (value: unknown): value is Tensor =>
  typeof value === "object" && value !== null && Array.isArray((value as Tensor).data) && Array.isArray((value as Tensor).dims);

const cut = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

const formatValue = (value: unknown): string => (typeof value === "number" ? formatNumber(value) : typeof value === "string" ? value : JSON.stringify(value));

const formatTensor = (tensor: Tensor): string => {
  const values = tensor.data.slice(0, MAX_VALUES).map(formatValue);
  const more = tensor.data.length > MAX_VALUES ? ", …" : "";
  const text = tensor.data.length === 1 ? (values[0] ?? "") : `[${values.join(", ")}${more}]`;
  // A batch: say how many rows the request held, since only the first values show.
  const rows = tensor.dims.length > 1 && (tensor.dims[0] ?? 1) > 1 ? ` (${tensor.dims[0]} rows)` : "";
  return `${text}${rows}`;
};

export const summarizeOutputs = (outputs: unknown): string | undefined => {
  if (outputs === undefined || outputs === null) return undefined;
  if (typeof outputs !== "object" || Array.isArray(outputs)) return cut(JSON.stringify(outputs));
  const entries = Object.entries(outputs as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (!entries.every(([, value]) => isTensor(value))) return cut(JSON.stringify(outputs));
  const tensors = entries as [string, Tensor][];
  // One output: its values alone; several: each named.
  if (tensors.length === 1) return cut(formatTensor(tensors[0]?.[1] as Tensor));
  return cut(tensors.map(([name, tensor]) => `${name}: ${formatTensor(tensor)}`).join("; "));
};

/** A logged label as the table shows it: a number or text as is, anything else as JSON. */
export const formatLabel = (label: unknown): string | undefined => (label === undefined || label === null ? undefined : cut(formatValue(label)));
