/**
 * The few protobuf wire-format primitives needed to write small ONNX files for tests: varints, length-delimited
 * fields and packed repeated numbers. Writing them by hand keeps the tests free of a .proto compiler step; the
 * result is checked by onnxruntime itself, which parses every file the builders produce.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private pushVarint(value: bigint): void {
    // Negative int64 values are encoded as their two's-complement 64-bit pattern (10 bytes), as protobuf does.
    let v = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.chunks.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.pushVarint(BigInt((field << 3) | wireType));
  }

  /** int32, int64, enum and bool fields (wire type 0). */
  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.pushVarint(BigInt(value));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.pushVarint(BigInt(value.length));
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  /** A float field (wire type 5, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    const buffer = new Uint8Array(4);
    new DataView(buffer.buffer).setFloat32(0, value, true);
    this.chunks.push(buffer);
    return this;
  }

  /** A packed repeated varint field (int64 dims, ints attributes). */
  packedInts(field: number, values: ReadonlyArray<number | bigint>): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.pushVarint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const buffer = new Uint8Array(values.length * 4);
    const view = new DataView(buffer.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
    return this.bytes(field, buffer);
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}
