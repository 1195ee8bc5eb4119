import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PredictionRecord } from "../../serving/prediction-log/records.js";
import type { StoredPrediction } from "../../serving/prediction-log/store.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqlitePredictionLogStore } from "../../stores/sqlite/sqlite-prediction-log-store.js";
import { lastRows, windowTable } from "./log-columns.js";
import { readWindowPages, WindowBuilder } from "./window-reader.js";

/** 2,500 requests of 3 rows each (features a, b), at times 1..2500. */
const record = (i: number): PredictionRecord => ({
  deployment: "churn",
  version: i < 1000 ? "1" : "2",
  time: i + 1,
  latencyMs: 1,
  requestId: `r${i}`,
  inputs: JSON.stringify({ x: { dims: [3, 2], type: "float32", data: [i, i + 0.5, i + 1, i + 1.5, i + 2, i + 2.5] } }),
  outputs: JSON.stringify({ y: { dims: [3, 1], type: "float32", data: [0.1, 0.2, 0.3] } }),
});

describe("monitor windows read in pages (issue 12 part 8)", () => {
  let dir: string;
  let store: SqlitePredictionLogStore;
  let close: () => void;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-window-"));
    const db = openDatabase(path.join(dir, "log.db"));
    close = () => db.close();
    store = new SqlitePredictionLogStore(db);
    await store.insertPredictions(Array.from({ length: 2500 }, (_, i) => record(i)));
  });
  afterAll(async () => {
    close();
    await rm(dir, { recursive: true, force: true });
  });

  const namesOf = (): readonly string[] => ["a", "b"];
  const everything = async (): Promise<StoredPrediction[]> => {
    const all: StoredPrediction[] = [];
    await readWindowPages(store, "churn", { lastSeconds: 10_000 }, 2500, (page) => void all.push(...page));
    return all;
  };

  it("hands the window to the caller in pages of at most 1,000 predictions, oldest first", async () => {
    const sizes: number[] = [];
    const firstTimes: number[] = [];
    await readWindowPages(store, "churn", { lastRows: 10 }, 2500, (page) => {
      sizes.push(page.length);
      firstTimes.push(page[0]?.time ?? -1);
    });
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(firstTimes).toEqual([1, 1001, 2001]);
  });

  it("builds the same table as the whole window at once, holding at most twice the rows it keeps", async () => {
    const whole = lastRows(windowTable(await everything(), namesOf), 100);
    const builder = new WindowBuilder(100);
    let mostHeld = 0;
    await readWindowPages(store, "churn", { lastRows: 100 }, 2500, (page) => {
      // Pages of 1,000 requests are 3,000 rows: a page is the most that is ever added at once.
      builder.add(page, namesOf);
      mostHeld = Math.max(mostHeld, builder.heldRows());
    });
    const built = builder.result();
    expect(built).toEqual(whole);
    expect(built.rows).toHaveLength(100);
    expect(built.rows[99]).toEqual({ a: 2501, b: 2501.5 });
    expect(mostHeld).toBeLessThanOrEqual(3000 + 200);
    expect(builder.dropped).toBe(7400);
  });

  it("keeps every row of a last_seconds window under its cap", async () => {
    const builder = new WindowBuilder();
    await readWindowPages(store, "churn", { lastSeconds: 1 }, 2500, (page) => builder.add(page, namesOf));
    // Times 1501..2500 are within the last second (1,000 ms) before 2,500 inclusive of the end.
    expect(builder.result().rows.length).toBe(3 * (await everything()).filter((p) => p.time >= 1500).length);
  });
});
