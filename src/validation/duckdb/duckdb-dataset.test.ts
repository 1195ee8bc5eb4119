import { describe, expect, it } from "vitest";
import { openRowsDataset } from "./open-rows-dataset.js";

describe("closing a DuckDB dataset", () => {
  it("waits for queries still running on the connection (one failed, its siblings not yet done) before closing it", async () => {
    const rows = Array.from({ length: 20_000 }, (_v, i) => ({ x: i % 101 }));
    const dataset = await openRowsDataset([{ name: "x", kind: "numeric", sqlType: "DOUBLE" }], rows);
    const siblings = Array.from({ length: 8 }, () => dataset.numericValues("x", { sorted: true }));
    const failing = dataset.query("SELECT no_such_column FROM data");
    // As a caller does when Promise.all rejects on the first failure: close at once, with the siblings in flight.
    await expect(Promise.all([failing, ...siblings])).rejects.toThrow(/no_such_column/);
    await dataset.close();
    const values = await Promise.all(siblings);
    expect(values.map((v) => [v.length, v[0], v[v.length - 1]])).toEqual(Array.from({ length: 8 }, () => [20_000, 0, 100]));
    await expect(dataset.query("SELECT 1")).rejects.toThrow("is closed");
  });
});
