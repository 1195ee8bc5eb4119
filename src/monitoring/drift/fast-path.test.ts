import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ColumnInfo, SqlValue } from "../../validation/dataset.js";
import { openDataset, openRowsDataset } from "../../validation/duckdb/index.js";
import { finiteOnly, summarizeColumn, summaryOfSorted } from "./column-data.js";
import { summarizeColumns } from "./dataset-summary.js";
import { ks2samp, wassersteinDistance } from "../stats/index.js";
import { computeDrift, resolveDriftMethod } from "./index.js";
import { sortDoubles } from "./sort-doubles.js";

const FLIGHTS = join(process.cwd(), "node_modules/vega-datasets/data/flights-200k.json");
const FLIGHTS_20K = join(process.cwd(), "node_modules/vega-datasets/data/flights-20k.json");
const FLIGHTS_10K = join(process.cwd(), "node_modules/vega-datasets/data/flights-10k.json");

/** A repeatable sequence (mulberry32) so failures reproduce. */
const random = (seed: number): (() => number) => {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const bits = (values: Float64Array): string[] => Array.from(values, (v) => (Object.is(v, -0) ? "-0" : String(v)));

describe("sortDoubles", () => {
  it("sorts as Float64Array.prototype.sort does (negatives, -0, subnormals, ties, huge), small and large", () => {
    const next = random(7);
    const special = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 2.5, 2.5];
    for (const n of [0, 1, 10, 4095, 4096, 50_000]) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i += 1) {
        const r = next();
        values[i] = i < special.length ? (special[i] ?? 0) : r < 0.3 ? Math.round((r - 0.15) * 1e4) / 100 : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      }
      const copy = Float64Array.from(values);
      const sorted = sortDoubles(values);
      expect(bits(sorted)).toEqual(bits(Float64Array.from(values).sort()));
      expect(bits(values)).toEqual(bits(copy));
    }
  });

  it("skips passes whose digit every key shares (small integers) and still sorts", () => {
    const next = random(11);
    const values = Float64Array.from({ length: 20_000 }, () => Math.floor(next() * 10));
    expect(Array.from(sortDoubles(values))).toEqual(Array.from(Float64Array.from(values).sort()));
  });
});

describe("summaries without a per-column scan", () => {
  const columns: ColumnInfo[] = [
    { name: "x", kind: "numeric", sqlType: "DOUBLE" },
    { name: "k", kind: "categorical", sqlType: "VARCHAR" },
  ];
  const rows: Array<Record<string, SqlValue>> = [1.5, null, 2, 2, -3.25, 1e9, 0, 7, 2, 1.5].map((x, i) => ({ x, k: i % 4 === 0 ? null : `v${i % 3}` }));

  it("summaryOfSorted equals the DuckDB summary (std within 1e-14)", async () => {
    const data = await openDataset(FLIGHTS);
    try {
      for (const column of ["delay", "distance"]) {
        const scan = await summarizeColumn(data, column, "num");
        const values = sortDoubles(finiteOnly(await data.numericValues(column)));
        const fast = summaryOfSorted(values, await data.rowCount());
        expect({ ...fast, std: 0 }).toEqual({ ...scan, std: 0 });
        expect(Math.abs((fast.std ?? 0) - (scan.std ?? 0)) / (scan.std ?? 1)).toBeLessThan(1e-14);
      }
    } finally {
      await data.close();
    }
  });

  it("summarizeColumns (one scan, estimate then exact count) equals summarizeColumn per column", async () => {
    const data = await openRowsDataset(columns, rows);
    const flights = await openDataset(FLIGHTS_20K);
    try {
      const all = await summarizeColumns(data, [{ name: "x", type: "num" }, { name: "k", type: "cat" }]);
      expect(all.get("x")).toEqual(await summarizeColumn(data, "x", "num"));
      expect(all.get("k")).toEqual(await summarizeColumn(data, "k", "cat"));
      const wide = await summarizeColumns(flights, [{ name: "origin", type: "cat" }, { name: "delay", type: "num" }, { name: "distance", type: "num" }]);
      expect(wide.get("origin")).toEqual(await summarizeColumn(flights, "origin", "cat"));
      const delay = wide.get("delay");
      const exact = await summarizeColumn(flights, "delay", "num");
      expect(delay?.distinct).toBe(exact.distinct);
      expect(delay?.count).toBe(exact.count);
    } finally {
      await data.close();
      await flights.close();
    }
  });

  it("drift over values read whole and sorted once equals the tests on unsorted values, and the scanned summaries", async () => {
    const reference = await openDataset(FLIGHTS_20K);
    const current = await openDataset(FLIGHTS_10K);
    try {
      const raw = { delay: { method: resolveDriftMethod("ks") }, distance: { method: resolveDriftMethod("wasserstein") } };
      const whole = await computeDrift(reference, current, { columns: ["delay", "distance", "origin"], columnMethods: raw });
      const [rd, cd, rs, cs] = await Promise.all([
        reference.numericValues("delay"),
        current.numericValues("delay"),
        reference.numericValues("distance"),
        current.numericValues("distance"),
      ]);
      const ks = ks2samp(rd, cd);
      expect(whole.columns.delay?.statistic).toBe(ks.statistic);
      expect(whole.columns.delay?.p_value).toBe(ks.pValue);
      const std = (await summarizeColumn(reference, "distance", "num")).std ?? 1;
      const w = wassersteinDistance(rs, cs) / std;
      expect(Math.abs((whole.columns.distance?.statistic ?? 0) - w) / w).toBeLessThan(1e-14);

      // Histogram tests: past the sample limit the summaries come from the scans instead of the values; same result.
      const binned = { delay: { method: resolveDriftMethod("psi") }, distance: { method: resolveDriftMethod("jensenshannon") } };
      const a = await computeDrift(reference, current, { columns: ["delay", "distance", "origin"], columnMethods: binned });
      const b = await computeDrift(reference, current, { columns: ["delay", "distance", "origin"], columnMethods: binned, sampleLimit: 9_999 });
      expect(a.columns).toEqual(b.columns);
    } finally {
      await reference.close();
      await current.close();
    }
  });
});
