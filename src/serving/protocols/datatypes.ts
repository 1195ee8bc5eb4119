import type { ElementType } from "../tensor.js";

/**
 * The Open Inference Protocol's datatype names for onnxruntime's element types, both ways. BYTES carries strings
 * (onnxruntime's string tensors); FP16 travels as numbers on the wire and as Uint16Array half floats inside.
 */
export const OIP_DATATYPE_OF: Readonly<Record<ElementType, string>> = {
  bool: "BOOL",
  uint8: "UINT8",
  uint16: "UINT16",
  uint32: "UINT32",
  uint64: "UINT64",
  int8: "INT8",
  int16: "INT16",
  int32: "INT32",
  int64: "INT64",
  float16: "FP16",
  float32: "FP32",
  float64: "FP64",
  string: "BYTES",
};

const ELEMENT_TYPE_OF: ReadonlyMap<string, ElementType> = new Map(
  Object.entries(OIP_DATATYPE_OF).map(([type, datatype]) => [datatype, type as ElementType]),
);

export const OIP_DATATYPES: readonly string[] = [...ELEMENT_TYPE_OF.keys()];

/** The element type of an OIP datatype name, or undefined for a name the protocol does not define. */
export const elementTypeOfDatatype = (datatype: string): ElementType | undefined => ELEMENT_TYPE_OF.get(datatype);
