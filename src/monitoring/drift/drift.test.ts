import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ColumnInfo, Dataset, SqlValue } from "../../validation/dataset.js";
import { openRowsDataset } from "../../validation/duckdb/index.js";
import { jensenShannonDistance } from "../stats/index.js";
import { binnedShares } from "./binned-shares.js";
import { summarizeColumn } from "./column-data.js";
import { computeDrift, DRIFT_SCHEMA_VERSION, resolveDriftMethod, type ColumnMethodChoice } from "./index.js";

/** Reference values computed once with scipy 1.17.1 / numpy (fixtures/gen-drift-fixtures.py; Jensen-Shannon converted to natural log, fixtures/README.md). */
interface FixtureCase {
  name: string;
  types: Record<string, "DOUBLE" | "VARCHAR">;
  reference: Record<string, Array<number | string | null>>;
  current: Record<string, Array<number | string | null>>;
  methods: Record<string, { method: string; threshold: number | null }>;
  drift_share: number;
  expected: Record<
    string,
    { method: string; statistic: number | string; p_value: number | string | null; threshold: number; drifted: boolean; reference_rows: number; current_rows: number }
  >;
  skipped: string[];
  dataset_drift: boolean;
  share_drifted: number;
}

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/drift-cases.json", import.meta.url), "utf8")) as { cases: FixtureCase[] };

const asNumber = (value: number | string): number => (value === "inf" ? Infinity : value === "-inf" ? -Infinity : Number(value));

/** Equal within 1e-9 relative (absolute near zero). */
const expectClose = (actual: number | null, expected: number | string | null, label: string): void => {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  const want = asNumber(expected);
  expect(actual, label).not.toBeNull();
  const got = actual as number;
  if (!Number.isFinite(want)) {
    expect(got, label).toBe(want);
    return;
  }
  const error = Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
  if (want === 0) expect(Math.abs(got), label).toBeLessThanOrEqual(1e-12);
  else expect(error, `${label}: got ${got}, want ${want}`).toBeLessThanOrEqual(1e-9);
};

const rowsDataset = async (types: FixtureCase["types"], data: FixtureCase["reference"], source: string): Promise<Dataset> => {
  const columns: ColumnInfo[] = Object.entries(types).map(([name, sqlType]) => ({
    name,
    sqlType,
    kind: sqlType === "DOUBLE" ? "numeric" : "categorical",
  }));
  const length = (Object.values(data)[0] ?? []).length;
  const rows: Array<Record<string, SqlValue>> = [];
  for (let i = 0; i < length; i += 1) {
    const row: Record<string, SqlValue> = {};
    for (const name of Object.keys(types)) row[name] = data[name]?.[i] ?? null;
    rows.push(row);
  }
  return openRowsDataset(columns, rows, source);
};

describe("drift against scipy reference values", () => {
  for (const fixture of fixtures.cases) {
    it(fixture.name, async () => {
      const reference = await rowsDataset(fixture.types, fixture.reference, "reference");
      const current = await rowsDataset(fixture.types, fixture.current, "current");
      try {
        const columnMethods: Record<string, ColumnMethodChoice> = {};
        for (const [column, spec] of Object.entries(fixture.methods)) {
          columnMethods[column] = { method: resolveDriftMethod(spec.method), ...(spec.threshold === null ? {} : { threshold: spec.threshold }) };
        }
        const result = await computeDrift(reference, current, { columnMethods, driftShare: fixture.drift_share });
        expect(Object.keys(result.columns).sort()).toEqual(Object.keys(fixture.expected).sort());
        expect(Object.keys(result.skipped_columns).sort()).toEqual([...fixture.skipped].sort());
        for (const [column, want] of Object.entries(fixture.expected)) {
          const got = result.columns[column];
          expect(got?.method, `${column} method`).toBe(want.method);
          expectClose(got?.statistic ?? null, want.statistic, `${column} statistic`);
          expectClose(got?.p_value ?? null, want.p_value, `${column} p_value`);
          expect(got?.threshold, `${column} threshold`).toBe(want.threshold);
          expect(got?.drifted, `${column} drifted`).toBe(want.drifted);
          expect(got?.reference_rows, `${column} reference_rows`).toBe(want.reference_rows);
          expect(got?.current_rows, `${column} current_rows`).toBe(want.current_rows);
        }
        expect(result.dataset_drift).toBe(fixture.dataset_drift);
        expect(result.share_drifted).toBeCloseTo(fixture.share_drifted, 12);
      } finally {
        await reference.close();
        await current.close();
      }
    });
  }
});

describe("drift result", () => {
  const columns: ColumnInfo[] = [
    { name: "x", kind: "numeric", sqlType: "DOUBLE" },
    { name: "pred", kind: "categorical", sqlType: "VARCHAR" },
    { name: "when", kind: "datetime", sqlType: "TIMESTAMP" },
  ];
  const rows = (shift: number, n: number): Array<Record<string, SqlValue>> =>
    Array.from({ length: n }, (_v, i) => ({ x: (i % 37) + shift, pred: i % 3 === 0 ? "a" : "b", when: "2024-01-01 00:00:00" }));

  it("has the versioned shape, prediction drift, skipped datetime columns, and records a sample", async () => {
    const reference = await openRowsDataset(columns, rows(0, 3000), "ref");
    const current = await openRowsDataset(columns, rows(5, 2000), "cur");
    try {
      const result = await computeDrift(reference, current, {
        prediction: ["pred"],
        sampleLimit: 1000,
        columnMethods: { x: { method: resolveDriftMethod("ks") } },
        distributions: false,
      });
      const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual([
        "schema_version",
        "reference",
        "current",
        "dataset_drift",
        "share_drifted",
        "drift_share",
        "number_of_columns",
        "number_of_drifted_columns",
        "columns",
        "skipped_columns",
        "prediction_drift",
        "target_drift",
      ]);
      expect(result.schema_version).toBe(DRIFT_SCHEMA_VERSION);
      expect(result.reference).toEqual({ source: "ref", rows: 3000 });
      expect(result.number_of_columns).toBe(2);
      expect(result.skipped_columns).toEqual({ when: { column_type: "datetime", reason: "datetime columns are not tested for drift" } });
      expect(result.columns.x?.sampled).toBe("sampled 1000 of 3000 reference rows; sampled 1000 of 2000 current rows");
      expect(result.columns.x?.reference_rows).toBe(3000);
      expect(result.columns.pred?.method).toBe("jensenshannon");
      expect(result.columns.pred?.p_value).toBeNull();
      expect(result.prediction_drift).toEqual({ pred: result.columns.pred });
      expect(result.target_drift).toBeNull();
      expect(Object.keys(result.columns.pred ?? {})).toEqual([
        "column_type",
        "method",
        "method_name",
        "statistic",
        "p_value",
        "threshold",
        "drifted",
        "reference_rows",
        "current_rows",
        "reference_missing",
        "current_missing",
      ]);
    } finally {
      await reference.close();
      await current.close();
    }
  });

  it("rejects a test that does not fit the column, and unknown columns, naming them", async () => {
    const reference = await openRowsDataset(columns, rows(0, 10), "ref");
    const current = await openRowsDataset(columns, rows(0, 10), "cur");
    try {
      await expect(computeDrift(reference, current, { columnMethods: { pred: { method: resolveDriftMethod("ks") } } })).rejects.toThrow(
        "Column 'pred': drift method 'ks' needs a numeric column",
      );
      await expect(computeDrift(reference, current, { columns: ["nope"] })).rejects.toThrow("Column 'nope' does not exist in the reference data (ref)");
      await expect(computeDrift(reference, current, { driftShare: 2 })).rejects.toThrow("drift_share must be between 0 and 1, got 2");
    } finally {
      await reference.close();
      await current.close();
    }
  });
});

/**
 * Evidently calls scipy's jensenshannon with base None (natural log). The fixture's Jensen-Shannon values were made
 * with base 2 and converted by d_natural = d_base2 * sqrt(ln 2) (fixtures/README.md); these tests pin the conversion
 * to scipy's own numbers and show the column whose verdict it changes.
 */
describe("Jensen-Shannon in natural log, as Evidently", () => {
  it("scipy's own base-2 and natural-log distances differ by exactly sqrt(ln 2) (the identity the fixture conversion uses)", () => {
    const categorical = JSON.parse(readFileSync(new URL("../stats/fixtures/categorical.json", import.meta.url), "utf8")) as {
      cases: Array<{ name: string; jensenShannon: number; jensenShannonBase2: number }>;
    };
    const nonZero = categorical.cases.filter((c) => c.jensenShannonBase2 > 0);
    expect(nonZero.length).toBeGreaterThanOrEqual(5);
    for (const c of nonZero) {
      expect(Math.abs(c.jensenShannonBase2 * Math.sqrt(Math.LN2) - c.jensenShannon) / c.jensenShannon, c.name).toBeLessThanOrEqual(1e-12);
    }
  });

  it("flips x_jensenshannon of every-method: 0.1186 (base 2, drifted at 0.1) is 0.0988 in natural log, not drifted", async () => {
    const fixture = fixtures.cases.find((c) => c.name === "every-method");
    if (fixture === undefined) throw new Error("fixture every-method is missing");
    const column = "x_jensenshannon";
    // scipy 1.17.1's distance.jensenshannon(rp, cp, 2) for this column, as gen-drift-fixtures.py first wrote it.
    const scipyBase2 = 0.11864797163225073;
    const converted = fixture.expected[column];
    expect(converted?.statistic).toBe(0.09878091588693805);
    expect(Math.abs(scipyBase2 * Math.sqrt(Math.LN2) - 0.09878091588693805)).toBeLessThanOrEqual(1e-17);
    expect(converted?.drifted).toBe(false);
    expect(scipyBase2).toBeGreaterThanOrEqual(0.1);

    const types = { [column]: fixture.types[column] ?? "DOUBLE" };
    const reference = await rowsDataset(types, { [column]: fixture.reference[column] ?? [] }, "reference");
    const current = await rowsDataset(types, { [column]: fixture.current[column] ?? [] }, "current");
    try {
      const result = await computeDrift(reference, current, { columnMethods: { [column]: { method: resolveDriftMethod("jensenshannon") } } });
      const got = result.columns[column];
      expect(got).toMatchObject({ method: "jensenshannon", threshold: 0.1, drifted: false, reference_rows: 600, current_rows: 500 });
      expectClose(got?.statistic ?? null, 0.09878091588693805, "natural-log statistic");
      expect(result.dataset_drift).toBe(false);

      // The same Sturges shares in base 2 give scipy's base-2 number: only the logarithm changed, not the binning.
      const [refSummary, curSummary] = await Promise.all([summarizeColumn(reference, column, "num"), summarizeColumn(current, column, "num")]);
      const shares = await binnedShares(column, "num", { dataset: reference, summary: refSummary }, { dataset: current, summary: curSummary }, false);
      expectClose(jensenShannonDistance(shares.reference, shares.current, 2), scipyBase2, "base-2 statistic");
    } finally {
      await reference.close();
      await current.close();
    }
  });
});
