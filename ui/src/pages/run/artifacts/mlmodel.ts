import { parse } from "yaml";

/** One column or tensor of an MLmodel signature, flattened for a table. */
export interface SignatureField {
  name: string;
  type: string;
  /** Tensor shape, e.g. "(-1, 4)"; empty for columns. */
  shape: string;
  optional: boolean;
}

export interface MlmodelSummary {
  flavors: { name: string; details: [string, string][] }[];
  inputs: SignatureField[] | undefined;
  outputs: SignatureField[] | undefined;
  /** The rest of the top-level fields (run_id, model_uuid, utc_time_created, mlflow_version...), as text. */
  fields: [string, string][];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** Signature inputs and outputs are JSON text inside the YAML (MLflow's ColSpec and TensorSpec lists). */
const signatureFields = (raw: unknown): SignatureField[] | undefined => {
  if (typeof raw !== "string") return undefined;
  let specs: unknown;
  try {
    specs = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(specs)) return undefined;
  return specs.filter(isRecord).map((spec, index): SignatureField => {
    const tensor = isRecord(spec["tensor-spec"]) ? spec["tensor-spec"] : undefined;
    const shape = tensor && Array.isArray(tensor.shape) ? `(${tensor.shape.join(", ")})` : "";
    const type = tensor ? `tensor of ${describe(tensor.dtype)}` : describe(spec.type ?? "");
    return { name: typeof spec.name === "string" ? spec.name : `#${index}`, type, shape, optional: spec.required === false || spec.optional === true };
  });
};

/** The parts of an MLmodel file people look for: flavors with their settings, and the signature's columns. */
export const summarizeMlmodel = (text: string): MlmodelSummary => {
  const doc: unknown = parse(text);
  if (!isRecord(doc)) throw new Error("The MLmodel file is not a YAML mapping.");
  const flavors = isRecord(doc.flavors)
    ? Object.entries(doc.flavors).map(([name, config]) => ({
        name,
        details: isRecord(config) ? Object.entries(config).map(([key, value]): [string, string] => [key, describe(value)]) : [],
      }))
    : [];
  const signature = isRecord(doc.signature) ? doc.signature : undefined;
  const fields = Object.entries(doc)
    .filter(([key]) => key !== "flavors" && key !== "signature")
    .map(([key, value]): [string, string] => [key, describe(value)]);
  return { flavors, inputs: signatureFields(signature?.inputs), outputs: signatureFields(signature?.outputs), fields };
};
