import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./migrations.js";

/**
 * Opens (creating if needed) a SQLite database ready for the tracking store.
 * WAL + synchronous=NORMAL: a committed transaction is in the WAL before the call returns, so it survives kill -9
 * of the process (only a power loss may drop the last commits); writers never block readers.
 */
export const openDatabase = (filePath: string): Database.Database => {
  mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const db = new Database(filePath);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 10000");
    db.pragma("cache_size = -65536");
    migrate(db);
    // Keeps planner statistics fresh on big databases at a bounded cost (SQLite's recommendation for long-lived
    // connections); the search queries pick their driving index from these statistics.
    db.pragma("analysis_limit = 1000");
    db.pragma("optimize = 0x10002");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
};
