import { invalidParameter } from "../../core/errors.js";

/** One input or output of an MLflow signature: a column (ColSpec) or a tensor (TensorSpec). */
export type SignatureSpec =
  | { kind: "column"; name?: string; type: string; required: boolean }
  | { kind: "tensor"; name?: string; dtype: string; shape: number[] };

export interface ModelSignature {
  inputs: SignatureSpec[];
  outputs: SignatureSpec[];
}

/**
 * Parses MLflow's signature as the MLmodel file stores it: `inputs`/`outputs` are JSON strings of Schema.to_json(),
 * i.e. arrays of `{"name"?, "type", "required"?}` (ColSpec; type double/long/string/...) or
 * `{"name"?, "type": "tensor", "tensor-spec": {"dtype", "shape"}}` (TensorSpec, -1 for a variable dimension).
 */
export function parseSignature(raw: unknown, where: string): ModelSignature | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object") throw invalidParameter(`${where}: signature must be a mapping, got ${typeof raw}`);
  const sig = raw as Record<string, unknown>;
  return { inputs: parseSchema(sig.inputs, `${where}: signature.inputs`), outputs: parseSchema(sig.outputs, `${where}: signature.outputs`) };
}

function parseSchema(raw: unknown, where: string): SignatureSpec[] {
  if (raw === undefined || raw === null) return [];
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalidParameter(`${where} is not valid JSON`);
    }
  }
  if (!Array.isArray(value)) throw invalidParameter(`${where} must be a JSON array of column or tensor specs`);
  return value.map((entry: unknown, i) => parseSpec(entry, `${where}[${i}]`));
}

function parseSpec(entry: unknown, where: string): SignatureSpec {
  if (typeof entry !== "object" || entry === null) throw invalidParameter(`${where} must be an object`);
  const e = entry as Record<string, unknown>;
  const name = typeof e.name === "string" ? e.name : undefined;
  if (typeof e.type !== "string") throw invalidParameter(`${where}: 'type' must be a string`);
  if (e.type === "tensor") {
    const ts = e["tensor-spec"] as Record<string, unknown> | undefined;
    if (typeof ts !== "object" || ts === null || typeof ts.dtype !== "string" || !Array.isArray(ts.shape)) {
      throw invalidParameter(`${where}: a tensor spec needs 'tensor-spec': {dtype, shape}`);
    }
    const shape = ts.shape.map((d: unknown) => {
      if (typeof d !== "number" || !Number.isInteger(d)) throw invalidParameter(`${where}: shape entries must be integers`);
      return d;
    });
    return { kind: "tensor", ...(name === undefined ? {} : { name }), dtype: ts.dtype, shape };
  }
  return { kind: "column", ...(name === undefined ? {} : { name }), type: e.type, required: e.required !== false };
}

/** Column names of a column-based input schema, in order; undefined for tensor-based or unnamed columns. */
export function signatureColumns(signature: ModelSignature | undefined): string[] | undefined {
  if (signature === undefined || signature.inputs.length === 0) return undefined;
  const names: string[] = [];
  for (const spec of signature.inputs) {
    if (spec.kind !== "column" || spec.name === undefined) return undefined;
    names.push(spec.name);
  }
  return names;
}
