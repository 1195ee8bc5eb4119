/**
 * A model's signature as MLflow writes it into the MLmodel file: `signature.inputs` / `outputs` / `params` are JSON
 * text (a list of column specs, tensor specs, or param specs) inside the YAML document.
 */

export interface SignatureField {
  name: string;
  /** "double", "string", "tensor float32 [-1, 4]", ... */
  type: string;
  required: boolean;
}

export interface ModelSignature {
  inputs: SignatureField[];
  outputs: SignatureField[];
  params: SignatureField[];
}

export interface MlmodelSummary {
  flavors: string[];
  signature: ModelSignature | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const typeOf = (spec: Record<string, unknown>): string => {
  const tensor = spec["tensor-spec"];
  if (spec.type === "tensor" && isRecord(tensor)) {
    const shape = Array.isArray(tensor.shape) ? ` [${tensor.shape.join(", ")}]` : "";
    return `tensor ${String(tensor.dtype ?? "")}${shape}`.trim();
  }
  const type = typeof spec.type === "string" ? spec.type : JSON.stringify(spec.type ?? "");
  return spec.default !== undefined ? `${type} (default ${JSON.stringify(spec.default)})` : type;
};

/** One of the JSON lists; text that is not such a list yields no fields rather than an error. */
export const parseSpecList = (text: unknown): SignatureField[] => {
  let value: unknown = text;
  if (typeof text === "string") {
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((spec, index) => ({
    name: typeof spec.name === "string" ? spec.name : `#${index}`,
    type: typeOf(spec),
    required: spec.required !== false,
  }));
};

/** The parts of a parsed MLmodel document the overview shows. */
export const summariseMlmodel = (document: unknown): MlmodelSummary => {
  if (!isRecord(document)) return { flavors: [], signature: undefined };
  const flavors = isRecord(document.flavors) ? Object.keys(document.flavors) : [];
  const signature = isRecord(document.signature)
    ? {
        inputs: parseSpecList(document.signature.inputs),
        outputs: parseSpecList(document.signature.outputs),
        params: parseSpecList(document.signature.params),
      }
    : undefined;
  return { flavors, signature };
};
