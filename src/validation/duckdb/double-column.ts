/**
 * Reads the first column of a query's result (a DOUBLE) straight from DuckDB's vectors into a Float64Array: a copy
 * of each chunk's data buffer, with no per-row objects or values on the way (reading a million values through row
 * objects cost more than the tests on them). The buffers are reached through @duckdb/node-bindings, the C API that
 * @duckdb/node-api itself wraps (same version, installed with it); a NULL slot (masked in the validity bitmap) reads
 * as NaN, and a result of another type converts value by value.
 */
import duckdb from "@duckdb/node-bindings";
import { DuckDBTypeId, type DuckDBConnection, type DuckDBMaterializedResult } from "@duckdb/node-api";

const BYTES = Float64Array.BYTES_PER_ELEMENT;

/** Copies one chunk's doubles to out[at...]; returns how many. */
const copyChunk = (result: DuckDBMaterializedResult, index: number, out: Float64Array, at: number): number => {
  const chunk = result.getChunk(index).chunk;
  const rows = duckdb.data_chunk_get_size(chunk);
  if (rows === 0) return 0;
  const vector = duckdb.data_chunk_get_vector(chunk, 0);
  const data = duckdb.vector_get_data(vector, rows * BYTES);
  if (data.byteOffset % BYTES === 0) {
    out.set(new Float64Array(data.buffer, data.byteOffset, rows), at);
  } else {
    const view = new DataView(data.buffer, data.byteOffset, rows * BYTES);
    for (let i = 0; i < rows; i += 1) out[at + i] = view.getFloat64(i * BYTES, true);
  }
  const words = Math.ceil(rows / 32);
  const validity = duckdb.vector_get_validity(vector, words * 4) as Uint8Array | null;
  if (validity) {
    // A null bitmap is "all valid"; otherwise bit i (little-endian words) clear marks row i NULL.
    for (let i = 0; i < rows; i += 1) if (((validity[i >>> 3] ?? 0xff) & (1 << (i & 7))) === 0) out[at + i] = Number.NaN;
  }
  return rows;
};

export const readDoubleColumn = async (connection: DuckDBConnection, sql: string): Promise<Float64Array> => {
  const result = await connection.run(sql);
  const out = new Float64Array(result.rowCount);
  const chunks = result.chunkCount;
  let k = 0;
  if (result.columnTypeId(0) === DuckDBTypeId.DOUBLE) {
    for (let c = 0; c < chunks; c += 1) k += copyChunk(result, c, out, k);
  } else {
    // Any other type (the callers cast to DOUBLE): convert value by value, as Number() would.
    for (let c = 0; c < chunks; c += 1) {
      const chunk = result.getChunk(c);
      const vector = chunk.getColumnVector(0);
      for (let i = 0; i < chunk.rowCount; i += 1) {
        const value = vector.getItem(i);
        out[k++] = value === null ? Number.NaN : Number(value);
      }
    }
  }
  return k === out.length ? out : out.subarray(0, k);
};
