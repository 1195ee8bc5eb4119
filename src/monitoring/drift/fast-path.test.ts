import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ColumnInfo, SqlValue } from "../../validation/dataset.js";
import { openDataset, openRowsDataset } from "../../validation/duckdb/index.js";
import { finiteOnly, summarizeColumn, summaryOfSorted } from "./column-data.js";
import { summarizeColumns } from "./dataset-summary.js";
import { ks2samp, wassersteinDistance } from "../stats/index.js";
import { computeDrift, resolveDriftMethod } from "./index.js";
import { sortedCopy } from "../stats/sorting.js";

const FLIGHTS = join(process.cwd(), "node_modules/vega-datasets/data/flights-200k.json");
const FLIGHTS_20K = join(process.cwd(), "node_modules/vega-datasets/data/flights-20k.json");
const FLIGHTS_10K = join(process.cwd(), "node_modules/vega-datasets/data/flights-10k.json");

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
        const values = sortedCopy(finiteOnly(await data.numericValues(column)));
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
