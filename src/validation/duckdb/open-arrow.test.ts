import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  List,
  Field,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  Table,
} from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { profileDataset } from "../profile/profile-dataset.js";
import { openDataset } from "./open-dataset.js";
import { quoteLiteral } from "./sql-literal.js";

const FLIGHTS = join(process.cwd(), "node_modules/vega-datasets/data/flights-200k.arrow");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-open-arrow-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openDataset on Arrow IPC", () => {
  it("reads flights-200k.arrow: row count, columns, kinds and values equal to apache-arrow's own reading", async () => {
    const table = tableFromIPC(await readFile(FLIGHTS));
    expect(table.numRows).toBe(200_000);
    const data = await openDataset(FLIGHTS);
    try {
      expect(await data.rowCount()).toBe(200_000);
      expect(data.columns).toEqual([
        { name: "delay", sqlType: "SMALLINT", kind: "numeric" },
        { name: "distance", sqlType: "SMALLINT", kind: "numeric" },
        { name: "time", sqlType: "FLOAT", kind: "numeric" },
      ]);
      const rows = await data.query("SELECT delay, distance, time FROM arrow_data WHERE rowid = 0");
      expect(rows).toEqual([{ delay: 0, distance: 1452, time: 0 }]);
      for (const index of [0, 1, 12_345, 199_999]) {
        const expected = table.get(index)?.toJSON();
        const [row] = await data.query(`SELECT * FROM arrow_data WHERE rowid = ${index}`);
        expect(row).toEqual(expected);
        expect(Object.values(row ?? {}).every((v) => typeof v === "number")).toBe(true);
      }
      const [sums] = await data.query("SELECT sum(delay)::BIGINT AS d, sum(distance)::BIGINT AS s, count(time) AS t FROM data");
      let d = 0;
      let s = 0;
      let t = 0;
      for (let i = 0; i < table.numRows; i++) {
        d += Number(table.getChild("delay")?.get(i) ?? 0);
        s += Number(table.getChild("distance")?.get(i) ?? 0);
        if (table.getChild("time")?.isValid(i)) t++;
      }
      expect(sums).toEqual({ d: BigInt(d), s: BigInt(s), t: BigInt(t) });
    } finally {
      await data.close();
    }
  });

  it("profiles the Arrow file exactly as the same data written to Parquet by DuckDB", async () => {
    const arrow = await openDataset(FLIGHTS);
    const parquet = join(dir, "flights.parquet");
    try {
      await arrow.query(`COPY (SELECT * FROM data) TO ${quoteLiteral(parquet)} (FORMAT parquet)`);
      const fromParquet = await openDataset(parquet);
      try {
        expect(fromParquet.columns).toEqual(arrow.columns);
        const a = await profileDataset(arrow);
        const p = await profileDataset(fromParquet);
        expect({ ...a, source: "" }).toEqual({ ...p, source: "" });
      } finally {
        await fromParquet.close();
      }
    } finally {
      await arrow.close();
    }
  });

  it("maps ints, floats, utf8, bool, dates, timestamps and dictionary strings with nulls, in file and stream format, over several batches", async () => {
    const dictionary = vectorFromArray(["red", null, "blue", "red"], new Dictionary(new Utf8(), new Int32()));
    const batch1 = new Table({
      i32: vectorFromArray([1, null, -3, 4], new Int32()),
      i64: vectorFromArray([2n ** 40n, -1n, null, 0n], new Int64()),
      f64: vectorFromArray([1.5, Number.NaN, null, -0.25], new Float64()),
      s: vectorFromArray(["a", "é ü", null, ""], new Utf8()),
      b: vectorFromArray([true, false, null, true], new Bool()),
      d: vectorFromArray([new Date(Date.UTC(2024, 1, 29)), null, new Date(Date.UTC(1969, 11, 31)), new Date(0)], new DateDay()),
      ts: makeVector({ type: new TimestampMicrosecond(), data: new BigInt64Array([1_700_000_000_123_456n, 0n, -1n, 1n]), nullCount: 0 }),
      tsn: makeVector({ type: new TimestampNanosecond(), data: new BigInt64Array([1_700_000_000_123_456_789n, 5n, 6n, 7n]), nullCount: 0 }),
      color: dictionary,
    });
    const twoBatches = new Table([...batch1.batches, ...batch1.batches]);
    for (const [name, format] of [["t.arrow", "file"], ["t.ipc", "stream"]] as const) {
      const path = join(dir, name);
      await writeFile(path, tableToIPC(twoBatches, format));
      const data = await openDataset(path);
      try {
        expect(data.columns.map((c) => [c.name, c.sqlType, c.kind])).toEqual([
          ["i32", "INTEGER", "numeric"],
          ["i64", "BIGINT", "numeric"],
          ["f64", "DOUBLE", "numeric"],
          ["s", "VARCHAR", "categorical"],
          ["b", "BOOLEAN", "boolean"],
          ["d", "DATE", "datetime"],
          ["ts", "TIMESTAMP", "datetime"],
          ["tsn", "TIMESTAMP_NS", "datetime"],
          ["color", "VARCHAR", "categorical"],
        ]);
        expect(await data.rowCount()).toBe(8);
        const rows = await data.query(
          "SELECT i32, i64, f64::VARCHAR AS f, s, b, d::VARCHAR AS d, ts::VARCHAR AS ts, tsn::VARCHAR AS tsn, color FROM data LIMIT 4",
        );
        expect(rows).toEqual([
          { i32: 1, i64: 2n ** 40n, f: "1.5", s: "a", b: true, d: "2024-02-29", ts: "2023-11-14 22:13:20.123456", tsn: "2023-11-14 22:13:20.123456789", color: "red" },
          { i32: null, i64: -1n, f: "nan", s: "é ü", b: false, d: null, ts: "1970-01-01 00:00:00", tsn: "1970-01-01 00:00:00.000000005", color: null },
          { i32: -3, i64: null, f: null, s: null, b: null, d: "1969-12-31", ts: "1969-12-31 23:59:59.999999", tsn: "1970-01-01 00:00:00.000000006", color: "blue" },
          { i32: 4, i64: 0n, f: "-0.25", s: "", b: true, d: "1970-01-01", ts: "1970-01-01 00:00:00.000001", tsn: "1970-01-01 00:00:00.000000007", color: "red" },
        ]);
      } finally {
        await data.close();
      }
    }
  });

  it("refuses an unsupported column type naming the column and the type, and a file that is not Arrow", async () => {
    const path = join(dir, "list.arrow");
    const lists = vectorFromArray([[1, 2], [3]], new List(new Field("item", new Int32())));
    await writeFile(path, tableToIPC(new Table({ ok: vectorFromArray([1, 2], new Int32()), tags: lists })));
    await expect(openDataset(path)).rejects.toThrow("Arrow column 'tags' has type List<Int32>, which Cairn cannot read");
    const bad = join(dir, "bad.arrow");
    await writeFile(bad, "not arrow at all");
    await expect(openDataset(bad)).rejects.toThrow("Cannot read");
  });
});
