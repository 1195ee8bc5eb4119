import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "../duckdb/open-dataset.js";
import { openRowsDataset } from "../duckdb/open-rows-dataset.js";
import { profileDataset } from "./profile-dataset.js";
import type { ColumnProfile, DatasetProfile } from "./profile-schema.js";

/** Values computed once with numpy by fixtures/make-reference.py. */
interface RefColumn {
  count: number;
  missing: number;
  distinct: number;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  std?: number | null;
  quantiles?: Array<number | null>;
  histogram?: { edges: number[]; counts: number[] } | null;
  top?: Array<{ value: string; count: number }>;
}
interface RefProfile {
  row_count: number;
  columns: Record<string, RefColumn>;
}
interface Reference {
  small_csv: string;
  small: RefProfile;
  seattle: RefProfile;
  penguins: RefProfile;
}

const VEGA = join(process.cwd(), "node_modules/vega-datasets/data");
const REL = 1e-12;
let ref: Reference;
let dir = "";

beforeAll(async () => {
  ref = JSON.parse(await readFile(new URL("./fixtures/numpy-reference.json", import.meta.url), "utf8")) as Reference;
  dir = await mkdtemp(join(tmpdir(), "cairn-profile-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const close = (actual: number | null | undefined, expected: number | null | undefined, what: string) => {
  if (expected === null || expected === undefined) return expect(actual ?? null, what).toBeNull();
  expect(actual, what).not.toBeNull();
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs((actual as number) - expected) / scale, `${what}: ${actual} vs numpy ${expected}`).toBeLessThanOrEqual(REL);
};

const checkAgainstNumpy = (profile: DatasetProfile, expected: RefProfile) => {
  expect(profile.schema_version).toBe(1);
  expect(profile.row_count).toBe(expected.row_count);
  for (const [name, want] of Object.entries(expected.columns)) {
    const got = profile.columns.find((c) => c.name === name) as ColumnProfile;
    expect(got, name).toBeDefined();
    expect([got.count, got.missing, got.distinct], name).toEqual([want.count, want.missing, want.distinct]);
    if (want.top !== undefined) {
      expect(got.top, name).toEqual(want.top);
      continue;
    }
    const n = got.numeric;
    expect(n, name).toBeDefined();
    close(n?.min, want.min, `${name} min`);
    close(n?.max, want.max, `${name} max`);
    close(n?.mean, want.mean, `${name} mean`);
    close(n?.std, want.std, `${name} std`);
    (want.quantiles ?? []).forEach((q, k) => close(n?.quantiles[k]?.value, q, `${name} quantile ${k}`));
    if (want.histogram === null || want.histogram === undefined) {
      expect(n?.histogram ?? null).toBeNull();
    } else {
      expect(n?.histogram?.counts, `${name} histogram`).toEqual(want.histogram.counts);
      want.histogram.edges.forEach((e, k) => close(n?.histogram?.edges[k], e, `${name} edge ${k}`));
    }
  }
};

describe("profileDataset", () => {
  it("matches numpy on a small CSV with nulls, quotes, unicode names and a constant column", async () => {
    const path = join(dir, "small «données».csv");
    await writeFile(path, ref.small_csv);
    const data = await openDataset(path);
    try {
      const profile = await profileDataset(data);
      checkAgainstNumpy(profile, ref.small);
      // All-missing column: DuckDB reads it as VARCHAR, with no values.
      expect(profile.columns.find((c) => c.name === "empty")).toMatchObject({ count: 0, missing: 8, distinct: 0, top: [] });
      expect(profile.columns.find((c) => c.name === "flag")?.kind).toBe("boolean");
      expect(profile.options).toEqual({ bins: 20, top_k: 10, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95], distinct: "exact" });
    } finally {
      await data.close();
    }
  });

  it("matches numpy on vega-datasets' seattle-weather.csv (dates as datetime)", async () => {
    const data = await openDataset(join(VEGA, "seattle-weather.csv"));
    try {
      const profile = await profileDataset(data);
      checkAgainstNumpy(profile, ref.seattle);
      expect(profile.columns.find((c) => c.name === "date")).toMatchObject({
        kind: "datetime",
        count: 1461,
        distinct: 1461,
        min_text: "2012-01-01",
        max_text: "2015-12-31",
      });
    } finally {
      await data.close();
    }
  });

  it("matches numpy on vega-datasets' penguins.json", async () => {
    const data = await openDataset(join(VEGA, "penguins.json"));
    try {
      checkAgainstNumpy(await profileDataset(data), ref.penguins);
    } finally {
      await data.close();
    }
  });

  it("profiles rows, with bins, top-k and quantile options, approximate distinct counts on request", async () => {
    const data = await openRowsDataset(
      [
        { name: "x", kind: "numeric", sqlType: "DOUBLE" },
        { name: "c", kind: "categorical", sqlType: "VARCHAR" },
      ],
      [0, 1, 2, 3, 4].map((x) => ({ x, c: x % 2 === 0 ? "even" : "odd" })),
    );
    try {
      const profile = await profileDataset(data, { bins: 2, topK: 1, quantiles: [0, 1], distinct: "approx" });
      expect(profile.columns[0]?.numeric).toEqual({
        min: 0,
        max: 4,
        mean: 2,
        std: Math.sqrt(2.5),
        quantiles: [
          { q: 0, value: 0 },
          { q: 1, value: 4 },
        ],
        // numpy.histogram([0, 1, 2, 3, 4], bins=2): edges 0, 2, 4; [0, 2) holds 0, 1; [2, 4] holds 2, 3, 4.
        histogram: { edges: [0, 2, 4], counts: [2, 3] },
      });
      expect(profile.columns[1]).toMatchObject({ distinct_method: "approx", top: [{ value: "even", count: 3 }] });
    } finally {
      await data.close();
    }
  });

  it("refuses bad options naming the option and its limit", async () => {
    const data = await openRowsDataset([{ name: "x", kind: "numeric", sqlType: "DOUBLE" }], [{ x: 1 }]);
    try {
      await expect(profileDataset(data, { bins: 0 })).rejects.toThrow("bins must be an integer between 1 and 1000, got 0");
      await expect(profileDataset(data, { quantiles: [1.5] })).rejects.toThrow("each quantile must be a number between 0 and 1, got 1.5");
      await expect(profileDataset(data, { topK: -1 })).rejects.toThrow("topK must be an integer between 0 and 1000");
    } finally {
      await data.close();
    }
  });
});

describe("wide datasets (issue 12 part 8)", () => {
  it("profiles columns in slices with the values each column has when profiled in one scan", async () => {
    const columns = Array.from({ length: 7 }, (_, c) => (c === 6 ? { name: "cat", kind: "categorical" as const, sqlType: "VARCHAR" } : { name: `c${c}`, kind: "numeric" as const, sqlType: "DOUBLE" }));
    const rows = Array.from({ length: 20 }, (_, r) => Object.fromEntries(columns.map((col, c) => [col.name, c === 6 ? `v${r % 4}` : r * (c + 1)])));
    const whole = await openRowsDataset(columns, rows, "rows");
    const sliced = await openRowsDataset(columns, rows, "rows");
    try {
      const one = await profileDataset(whole, { bins: 4, topK: 2 });
      // Slices of 2 columns: four scans of the aggregates, three of the histograms.
      const many = await profileDataset(sliced, { bins: 4, topK: 2 }, 2);
      expect(many).toEqual(one);
      expect(many.columns[5]?.numeric).toMatchObject({ min: 0, max: 114, histogram: { counts: [5, 5, 5, 5] } });
      expect(many.columns[6]?.top).toEqual([{ value: "v0", count: 5 }, { value: "v1", count: 5 }]);
    } finally {
      await whole.close();
      await sliced.close();
    }
  });
});
