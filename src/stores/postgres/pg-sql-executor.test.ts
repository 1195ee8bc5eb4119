import { afterEach, describe, expect, it } from "vitest";
import { numberPlaceholders } from "../sql/sql-executor.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PgDatabase } from "./pg-database.js";
import { pgSqlExecutor } from "./pg-sql-executor.js";
import { createTempPgDatabase, type TempPgDatabase } from "./test-support/temp-database.js";

const temps: TempPgDatabase[] = [];
const opened: PgDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const temp of temps.splice(0)) await temp.drop();
});

describe("the portable SQL executor on PostgreSQL", () => {
  it("numbers ? placeholders outside quotes", () => {
    expect(numberPlaceholders("SELECT a FROM t WHERE a = ? AND b IN (?, ?) AND c = '?' AND \"d?\" = ?")).toBe(
      "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3) AND c = '?' AND \"d?\" = $4",
    );
  });

  it("runs portable statements and joins the caller's transaction", async () => {
    const temp = await createTempPgDatabase("cairn_sqlexec");
    temps.push(temp);
    const db = new PgDatabase(parsePostgresUri(temp.uri));
    opened.push(db);
    const sql = pgSqlExecutor(db);
    await sql.run("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
    expect(await sql.run("INSERT INTO kv (k, v) VALUES (?, ?), (?, ?)", ["a", 1, "b", 2])).toBe(2);
    await expect(
      db.transaction(async () => {
        await sql.run("DELETE FROM kv WHERE k = ?", ["a"]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await sql.all("SELECT k, v FROM kv WHERE v >= ? ORDER BY k", [1])).toEqual([
      { k: "a", v: 1 },
      { k: "b", v: 2 },
    ]);
  });
});
