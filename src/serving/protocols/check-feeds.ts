import { formatShape as shapeText } from "../runtime/tensor-specs.js";
import type { Tensor, TensorMap, TensorSpec } from "../tensor.js";
import { badInput } from "./tensor-values.js";

/** Refuses a tensor whose rank or fixed dimensions differ from its spec, naming the input and both shapes. */
export const checkShape = (spec: TensorSpec, dims: readonly number[]): void => {
  const fits = dims.length === spec.shape.length && spec.shape.every((d, axis) => d === null || d === dims[axis]);
  if (!fits) {
    throw badInput(`Input '${spec.name}': expected shape ${shapeText(spec.shape)}, received ${shapeText(dims)}.`);
  }
};

/**
 * Checks decoded feeds against the model's inputs before anything runs: every input present, none unknown, each
 * of the declared element type and shape. (The runtime would refuse too, but with messages that name neither the
 * request's field nor the expected shape.)
 */
export const checkFeeds = (feeds: TensorMap, specs: readonly TensorSpec[]): void => {
  const known = new Set(specs.map((spec) => spec.name));
  const extra = Object.keys(feeds).filter((name) => !known.has(name));
  if (extra.length > 0) {
    throw badInput(`Unknown input${extra.length > 1 ? "s" : ""} ${extra.map((n) => `'${n}'`).join(", ")}: the model's inputs are ${[...known].map((n) => `'${n}'`).join(", ")}.`);
  }
  for (const spec of specs) {
    const tensor: Tensor | undefined = feeds[spec.name];
    if (tensor === undefined) throw badInput(`Missing input '${spec.name}' (${spec.type} ${shapeText(spec.shape)}).`);
    if (tensor.type !== spec.type) throw badInput(`Input '${spec.name}': expected ${spec.type}, received ${tensor.type}.`);
    checkShape(spec, tensor.dims);
  }
};
