import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeAuditStoreContract } from "../../audit/store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

describeAuditStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-audit-contract-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  return {
    store: new SqliteAuditStore(db),
    editEvent: async (seq, afterJson) => {
      db.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
      db.prepare("UPDATE audit_events SET after_json = ? WHERE seq = ?").run(afterJson, seq);
    },
    removeEventsFrom: async (fromSeq) => {
      db.exec("DROP TRIGGER IF EXISTS audit_events_no_delete");
      db.prepare("DELETE FROM audit_events WHERE seq >= ?").run(fromSeq);
    },
    cleanup: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
