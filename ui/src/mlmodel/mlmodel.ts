/**
 * What an MLflow MLmodel file says about a model: its flavors (with their settings), its signature and the other
 * top-level fields. MLflow writes `signature.inputs` / `outputs` / `params` as JSON text (lists of column, tensor or
 * param specs) inside the YAML document.
 *
 * This module works on the already parsed document and does not import the YAML parser, so a page can load `yaml`
 * lazily, only when an MLmodel file exists; `./mlmodel-text` parses and summarises in one step.
 */

/** One column, tensor or param of a signature, flattened for a table. */
export interface SignatureField {
  name: string;
  /** "double", "string", "tensor of float32", ... */
  type: string;
  /** Tensor (or list param) shape, e.g. "(-1, 4)"; empty when the spec has none. */
  shape: string;
  required: boolean;
  /** A param's default value as JSON text, e.g. "0.5"; undefined when the spec has none. */
  default: string | undefined;
}

export interface ModelSignature {
  inputs: SignatureField[];
  outputs: SignatureField[];
  params: SignatureField[];
}

export interface MlmodelFlavor {
  name: string;
  /** The flavor's settings (loader_module, sklearn_version, ...), values as text. */
  details: [string, string][];
}

export interface MlmodelSummary {
  flavors: MlmodelFlavor[];
  /** Undefined when the MLmodel declares no signature. */
  signature: ModelSignature | undefined;
  /** The rest of the top-level fields (artifact_path, run_id, model_uuid, utc_time_created, mlflow_version...), as text. */
  fields: [string, string][];
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));

const fieldOf = (spec: Record<string, unknown>, index: number): SignatureField => {
  const tensor = spec.type === "tensor" && isRecord(spec["tensor-spec"]) ? spec["tensor-spec"] : undefined;
  const shape = tensor?.shape ?? spec.shape;
  return {
    name: typeof spec.name === "string" ? spec.name : `#${index}`,
    type: tensor ? (tensor.dtype === undefined ? "tensor" : `tensor of ${describe(tensor.dtype)}`) : describe(spec.type ?? ""),
    shape: Array.isArray(shape) ? `(${shape.join(", ")})` : "",
    // MLflow writes `required: false`; older versions wrote `optional: true`.
    required: spec.required !== false && spec.optional !== true,
    default: spec.default === undefined ? undefined : JSON.stringify(spec.default),
  };
};

/** One of the spec lists (JSON text, or an already parsed list); anything else yields no fields rather than an error. */
export const parseSpecList = (raw: unknown): SignatureField[] => {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map(fieldOf);
};

/** The parts of a parsed MLmodel document people look for. A document that is not a mapping summarises as empty. */
export const summariseMlmodel = (document: unknown): MlmodelSummary => {
  if (!isRecord(document)) return { flavors: [], signature: undefined, fields: [] };
  const flavors = isRecord(document.flavors)
    ? Object.entries(document.flavors).map(([name, config]) => ({
        name,
        details: isRecord(config) ? Object.entries(config).map(([key, value]): [string, string] => [key, describe(value)]) : [],
      }))
    : [];
  const signature = isRecord(document.signature)
    ? {
        inputs: parseSpecList(document.signature.inputs),
        outputs: parseSpecList(document.signature.outputs),
        params: parseSpecList(document.signature.params),
      }
    : undefined;
  const fields = Object.entries(document)
    .filter(([key]) => key !== "flavors" && key !== "signature")
    .map(([key, value]): [string, string] => [key, describe(value)]);
  return { flavors, signature, fields };
};
