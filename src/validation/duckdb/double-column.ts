/**
 * Reads the first column of a query's result (a DOUBLE) straight from DuckDB's vectors into a Float64Array: no
 * per-row objects or value arrays on the way, which made reading a million values cost more than the tests on them.
 */
import { DuckDBDoubleVector, type DuckDBConnection } from "@duckdb/node-api";

export const readDoubleColumn = async (connection: DuckDBConnection, sql: string): Promise<Float64Array> => {
  const result = await connection.run(sql);
  const out = new Float64Array(result.rowCount);
  let k = 0;
  for (let c = 0; c < result.chunkCount; c += 1) {
    const chunk = result.getChunk(c);
    const vector = chunk.getColumnVector(0);
    const rows = chunk.rowCount;
    if (vector instanceof DuckDBDoubleVector) {
      for (let i = 0; i < rows; i += 1) out[k++] = vector.getItem(i) ?? Number.NaN;
    } else {
      // Any other type (the query should cast to DOUBLE): convert value by value, as Number() would.
      for (let i = 0; i < rows; i += 1) {
        const value = vector.getItem(i);
        out[k++] = value === null ? Number.NaN : Number(value);
      }
    }
  }
  return k === out.length ? out : out.subarray(0, k);
};
