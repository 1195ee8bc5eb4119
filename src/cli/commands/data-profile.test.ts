import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHuman } from "../output.js";
import { dataProfile } from "./data-profile.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-data-profile-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cairn data profile", () => {
  it("returns the profile JSON and a table with one line per column", async () => {
    const path = join(dir, "t.csv");
    await writeFile(path, "x,city\n1,Oslo\n2,Oslo\n,Bergen\n4,\n");
    const result = await dataProfile(path, { bins: "4" });
    expect(result.data.schema_version).toBe(1);
    expect(result.data.options.bins).toBe(4);
    expect(result.data.columns[0]?.numeric?.histogram?.counts).toEqual([1, 1, 0, 1]);
    expect(renderHuman(result.human, { color: false }).split("\n")).toEqual([
      "COLUMN  TYPE     MISSING  DISTINCT  MIN  MAX  MEAN     STD      MEDIAN  TOP VALUES",
      "x       BIGINT   1 (25%)  3         1    4    2.33333  1.52753  2",
      "city    VARCHAR  1 (25%)  2         -    -    -        -        -       Oslo (2), Bergen (1)",
    ]);
  });

  it("refuses a bad --bins and a missing file", async () => {
    await expect(dataProfile(join(dir, "t.csv"), { bins: "0" })).rejects.toThrow("--bins must be an integer from 1 to 1000, got '0'");
    await expect(dataProfile(join(dir, "missing.csv"))).rejects.toThrow("does not exist");
  });
});
