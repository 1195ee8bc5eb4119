import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdentifier } from "../dataset.js";
import { openDataset } from "./open-dataset.js";
import { openRowsDataset } from "./open-rows-dataset.js";

const VEGA = join(process.cwd(), "node_modules/vega-datasets/data");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-open-dataset-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CSV = 'id,"prix €","na""me",flag\n1,1.5,"a, b",true\n2,,plain,false\n3,4.5,,\n';

describe("openDataset", () => {
  it("reads a CSV with quoted, unicode column names and nulls; kinds from DuckDB types", async () => {
    const path = join(dir, "plain.csv");
    await writeFile(path, CSV);
    const data = await openDataset(path);
    try {
      expect(data.columns).toEqual([
        { name: "id", kind: "numeric", sqlType: "BIGINT" },
        { name: "prix €", kind: "numeric", sqlType: "DOUBLE" },
        { name: 'na"me', kind: "categorical", sqlType: "VARCHAR" },
        { name: "flag", kind: "boolean", sqlType: "BOOLEAN" },
      ]);
      expect(await data.rowCount()).toBe(3);
      const rows = await data.query(`SELECT ${quoteIdentifier('na"me')} AS n FROM data WHERE id = $1`, [1]);
      expect(rows).toEqual([{ n: "a, b" }]);
      expect(Array.from(await data.numericValues("prix €"))).toEqual([1.5, 4.5]);
    } finally {
      await data.close();
    }
  });

  it("handles a path with quotes, spaces and glob characters without building SQL from it", async () => {
    const path = join(dir, "it's [odd] *name?.csv");
    await writeFile(path, CSV);
    const data = await openDataset(path);
    try {
      expect(await data.rowCount()).toBe(3);
      expect(data.source).toBe(path);
    } finally {
      await data.close();
    }
  });

  it("reads JSON lines, JSON arrays (penguins.json) and Parquet", async () => {
    const path = join(dir, "rows.jsonl");
    await writeFile(path, '{"a": 1, "b": "x"}\n{"a": 2.5, "b": null}\n');
    const jsonl = await openDataset(path);
    expect(jsonl.columns.map((c) => [c.name, c.kind])).toEqual([["a", "numeric"], ["b", "categorical"]]);
    expect(await jsonl.rowCount()).toBe(2);
    await jsonl.close();

    const penguins = await openDataset(join(VEGA, "penguins.json"));
    expect(await penguins.rowCount()).toBe(344);
    expect(penguins.columns.find((c) => c.name === "Body Mass (g)")?.kind).toBe("numeric");
    await penguins.close();

    const flights = await openDataset(join(VEGA, "flights-3m.parquet"));
    expect(await flights.rowCount()).toBe(3_000_000);
    await flights.close();
  });

  it("samples numeric values repeatably with a seed when the limit is below the count", async () => {
    const flights = await openDataset(join(VEGA, "flights-3m.parquet"));
    try {
      const column = flights.columns.find((c) => c.kind === "numeric")?.name ?? "";
      const a = await flights.numericValues(column, { limit: 1000, seed: 7 });
      const b = await flights.numericValues(column, { limit: 1000, seed: 7 });
      expect(a.length).toBe(1000);
      expect(Array.from(a)).toEqual(Array.from(b));
    } finally {
      await flights.close();
    }
  });

  it("refuses unknown columns, non-numeric columns, bad limits, missing files, unknown formats", async () => {
    const path = join(dir, "errors.csv");
    await writeFile(path, CSV);
    const data = await openDataset(path);
    try {
      await expect(data.numericValues("nope")).rejects.toThrow("Column 'nope' does not exist");
      await expect(data.numericValues('na"me')).rejects.toThrow("is VARCHAR (categorical), not numeric");
      await expect(data.numericValues("id", { limit: 0 })).rejects.toThrow("limit must be an integer between 1 and");
    } finally {
      await data.close();
    }
    await expect(openDataset(join(dir, "missing.csv"))).rejects.toThrow("does not exist");
    await expect(openDataset(join(dir, "errors.xyz"))).rejects.toThrow("cannot tell the format");
    await expect(openDataset(path, { format: "xlsx" })).rejects.toThrow("format must be one of csv, parquet, jsonl, arrow");
  });
});

describe("openRowsDataset", () => {
  it("builds a table from rows with declared types; timestamps from text", async () => {
    const data = await openRowsDataset(
      [
        { name: "x", kind: "numeric", sqlType: "DOUBLE" },
        { name: "n", kind: "numeric", sqlType: "INTEGER" },
        { name: "city name", kind: "categorical", sqlType: "VARCHAR" },
        { name: "ok", kind: "boolean", sqlType: "BOOLEAN" },
        { name: "at", kind: "datetime", sqlType: "TIMESTAMP" },
      ],
      [
        { x: 1.5, n: 2, "city name": "Zürich", ok: true, at: "2024-01-02 03:04:05" },
        { x: null, n: 3n, "city name": null, ok: false, at: null },
        { x: "2", n: "4", "city name": "Oslo", ok: null, at: "2024-01-03" },
      ],
    );
    try {
      expect(data.columns.map((c) => [c.name, c.sqlType, c.kind])).toEqual([
        ["x", "DOUBLE", "numeric"],
        ["n", "INTEGER", "numeric"],
        ["city name", "VARCHAR", "categorical"],
        ["ok", "BOOLEAN", "boolean"],
        ["at", "TIMESTAMP", "datetime"],
      ]);
      expect(await data.rowCount()).toBe(3);
      expect(Array.from(await data.numericValues("x"))).toEqual([1.5, 2]);
      const rows = await data.query('SELECT sum(n) AS s, max("at") AS m FROM data');
      expect(rows).toEqual([{ s: 9n, m: "2024-01-03 00:00:00" }]);
    } finally {
      await data.close();
    }
  });

  it("refuses bad types and values naming the column and row", async () => {
    await expect(openRowsDataset([{ name: "x", kind: "numeric", sqlType: "DOUBLE); DROP TABLE x; --" }], [])).rejects.toThrow(
      "column 'x' has an invalid type",
    );
    await expect(openRowsDataset([{ name: "x", kind: "numeric", sqlType: "BIGINT" }], [{ x: 1 }, { x: "abc" }])).rejects.toThrow(
      "row 1, column 'x': \"abc\" is not a valid BIGINT",
    );
  });
});
