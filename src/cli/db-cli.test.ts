import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { PG_LATEST_SCHEMA_VERSION } from "../stores/postgres/migrations.js";
import { createTempPgDatabase, type TempPgDatabase } from "../stores/postgres/test-support/temp-database.js";
import { LATEST_SCHEMA_VERSION, migrate, readSchemaVersion, SQLITE_MIGRATIONS } from "../stores/sqlite/migrations.js";
import { runCli } from "./test-support/run-cli.js";

const dirs: string[] = [];
const temps: TempPgDatabase[] = [];
afterAll(async () => {
  for (const temp of temps) await temp.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("cairn db upgrade", () => {
  it("upgrades an older SQLite file and says so; a second run has nothing to do; a missing file is exit 2", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cairn-db-upgrade-"));
    dirs.push(dir);
    const file = path.join(dir, "old.db");
    const db = new Database(file);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 7));
    db.close();
    const uri = `sqlite:///${file}`;
    expect(await runCli(["db", "upgrade", "--backend-store-uri", uri])).toEqual({
      code: 0,
      stdout: `Upgraded ${uri} from schema version 7 to ${LATEST_SCHEMA_VERSION}.\n`,
      stderr: "",
    });
    const check = new Database(file, { readonly: true });
    expect(readSchemaVersion(check)).toBe(LATEST_SCHEMA_VERSION);
    check.close();
    expect(JSON.parse((await runCli(["db", "upgrade", "--backend-store-uri", uri, "--json"])).stdout)).toEqual({
      backend_store_uri: uri,
      from_version: LATEST_SCHEMA_VERSION,
      to_version: LATEST_SCHEMA_VERSION,
    });
    const missing = await runCli(["db", "upgrade", "--backend-store-uri", `sqlite:///${dir}/none.db`]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: `cairn: error: --backend-store-uri sqlite:///${dir}/none.db: no database file at ${dir}/none.db\n` });
  }, 60_000);

  it("creates or upgrades a PostgreSQL schema, printing the URI without its password", async () => {
    const temp = await createTempPgDatabase("cairn_upgrade_cli");
    temps.push(temp);
    const url = new URL(temp.uri);
    url.password = "s3cret-pass";
    const withPassword = url.toString();
    const first = await runCli(["db", "upgrade", "--backend-store-uri", temp.uri, "--json"]);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout)).toMatchObject({ from_version: 0, to_version: PG_LATEST_SCHEMA_VERSION });
    const again = await runCli(["db", "upgrade", "--backend-store-uri", temp.uri]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`is at schema version ${PG_LATEST_SCHEMA_VERSION}, the latest: nothing to do\\.\\n$`));
    // A wrong password: the error never shows it (the test cluster trusts local connections, so use a dead port).
    const unreachable = await runCli(["db", "upgrade", "--backend-store-uri", withPassword.replace(/:\d+\//, ":1/")]);
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).not.toContain("s3cret-pass");
    expect(unreachable.stdout).not.toContain("s3cret-pass");
  }, 60_000);
});
