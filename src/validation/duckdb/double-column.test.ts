import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { quoteIdentifier } from "../dataset.js";
import { openDataset } from "./open-dataset.js";

const FLIGHTS = join(process.cwd(), "node_modules/vega-datasets/data/flights-200k.json");

describe("numericValues reads DuckDB's vectors columnar", () => {
  it("returns exactly the values (bit for bit, same order) that row objects give, over many chunks", async () => {
    const data = await openDataset(FLIGHTS);
    try {
      for (const column of ["delay", "distance"]) {
        const q = quoteIdentifier(column);
        const rows = await data.query(`SELECT CAST(${q} AS DOUBLE) AS v FROM data WHERE ${q} IS NOT NULL`);
        const values = await data.numericValues(column);
        expect(values.length).toBe(rows.length);
        expect(values.length).toBeGreaterThan(10_000);
        expect(Array.from(values)).toEqual(rows.map((row) => Number(row.v)));
      }
    } finally {
      await data.close();
    }
  });

  it("sorted: the same values in ascending order; a sample sorted is the same sample", async () => {
    const data = await openDataset(FLIGHTS);
    try {
      const plain = await data.numericValues("delay");
      const sorted = await data.numericValues("delay", { sorted: true });
      expect(Array.from(sorted)).toEqual(Array.from(Float64Array.from(plain).sort()));
      const sample = await data.numericValues("delay", { limit: 5000, seed: 3 });
      const sampleSorted = await data.numericValues("delay", { limit: 5000, seed: 3, sorted: true });
      expect(Array.from(sampleSorted)).toEqual(Array.from(Float64Array.from(sample).sort()));
    } finally {
      await data.close();
    }
  });
});

describe("readDoubleColumn", () => {
  it("copies chunk buffers exactly, NULL as NaN, and converts other types value by value", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const { readDoubleColumn } = await import("./double-column.js");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const sql = "SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE (CAST(i AS DOUBLE) - 2500) * CAST(0.37 AS DOUBLE) END AS v FROM range(5000) t(i) ORDER BY i";
      const expected = (await connection.runAndReadAll(sql)).getColumns()[0]?.map((v) => (v === null ? Number.NaN : Number(v))) ?? [];
      const values = await readDoubleColumn(connection, sql);
      expect(Array.from(values)).toEqual(expected);
      expect(Number.isNaN(values[0])).toBe(true);
      expect(values[1]).toBe((1 - 2500) * 0.37);
      const ints = await readDoubleColumn(connection, "SELECT i * 3 AS v FROM range(3000) t(i) ORDER BY i");
      expect(ints.length).toBe(3000);
      expect(ints[2999]).toBe(8997);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
