// The few protobuf primitives needed to write an ONNX linear classifier (ModelProto, IR version 8, opset 13):
// x [batch, 4] -> Gemm(W, B) -> Softmax -> probabilities [batch, 3]. Small enough to read in one sitting, and
// checked by onnxruntime itself in the evaluate stage.
class ProtoWriter {
  chunks = [];
  varint(value) {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.chunks.push(Uint8Array.from(bytes));
  }
  int(field, value) {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }
  bytes(field, value) {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    this.chunks.push(value);
    return this;
  }
  string(field, value) {
    return this.bytes(field, new TextEncoder().encode(value));
  }
  message(field, writer) {
    return this.bytes(field, writer.finish());
  }
  packedInts(field, values) {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }
  packedFloats(field, values) {
    const buffer = new Uint8Array(values.length * 4);
    const view = new DataView(buffer.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, buffer);
  }
  finish() {
    return Buffer.concat(this.chunks);
  }
}

const FLOAT = 1;

const valueInfo = (name, dims) => {
  const shape = new ProtoWriter();
  for (const dim of dims) shape.message(1, typeof dim === "number" ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
};

const tensor = (name, dims, values) => new ProtoWriter().packedInts(1, dims).int(2, FLOAT).packedFloats(4, values).string(8, name);

const node = (op, inputs, outputs, name, axis) => {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, op);
  if (axis !== undefined) w.message(5, new ProtoWriter().string(1, "axis").int(3, axis).int(20, 2));
  return w;
};

/** weights: [features][classes] row-major, bias: [classes]. */
export const linearClassifierOnnx = (weights, bias) => {
  const features = weights.length;
  const classes = bias.length;
  const graph = new ProtoWriter()
    .message(1, node("Gemm", ["x", "W", "B"], ["logits"], "gemm_0"))
    .message(1, node("Softmax", ["logits"], ["probabilities"], "softmax_1", 1))
    .string(2, "iris_softmax_regression")
    .message(5, tensor("W", [features, classes], weights.flat()))
    .message(5, tensor("B", [classes], bias))
    .message(11, valueInfo("x", ["batch", features]))
    .message(12, valueInfo("probabilities", ["batch", classes]));
  return new ProtoWriter()
    .int(1, 8)
    .string(2, "cairn-example")
    .string(3, "1")
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, "").int(2, 13))
    .finish();
};
