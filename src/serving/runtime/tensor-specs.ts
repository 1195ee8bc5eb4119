import type * as ort from "onnxruntime-node";
import { invalidParameter } from "../../core/errors.js";
import type { ElementType, TensorSpec } from "../tensor.js";

const supported: ReadonlySet<string> = new Set<ElementType>([
  "float32",
  "float64",
  "float16",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "bool",
  "string",
]);

export const isElementType = (type: string): type is ElementType => supported.has(type);

/** Formats a spec shape or concrete dims the way error messages and OIP show them: -1 for a dynamic dimension. */
export const formatShape = (shape: ReadonlyArray<number | null>): string =>
  `[${shape.map((d) => (d === null ? -1 : d)).join(", ")}]`;

/**
 * TensorSpecs from onnxruntime's session metadata. A symbolic dimension ("batch") or an unknown one (-1 in some
 * exporters) becomes null. Non-tensor values (sequences, maps — e.g. skl2onnx's ZipMap output) and 4-bit types are
 * refused at load time: the protocols have no way to carry them, and failing on the first request would be worse.
 */
export function specsFromMetadata(
  metadata: readonly ort.InferenceSession.ValueMetadata[],
  kind: "input" | "output",
  modelPath: string,
): TensorSpec[] {
  return metadata.map((m) => {
    if (!m.isTensor) {
      throw invalidParameter(
        `model ${modelPath}: ${kind} '${m.name}' is not a tensor (sequence or map); Cairn serves tensor inputs and outputs only (with skl2onnx, convert with options {'zipmap': False})`,
      );
    }
    if (!isElementType(m.type)) {
      throw invalidParameter(`model ${modelPath}: ${kind} '${m.name}' has element type ${m.type}, which Cairn does not serve`);
    }
    return {
      name: m.name,
      type: m.type,
      shape: m.shape.map((d) => (typeof d === "number" && d >= 0 ? d : null)),
    };
  });
}
