import { describeAuditStoreContract } from "../../audit/store.contract.js";
import { parsePostgresUri } from "./connection-uri.js";
import { PgAuditStore } from "./pg-audit-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";
import { pgRunDataWriter } from "./test-support/run-data-writer.js";

describeAuditStoreContract("postgresql", async () => {
  const { db, uri, cleanup } = await openMigratedPgDatabase();
  return {
    store: new PgAuditStore(db, parsePostgresUri(uri)),
    // The owner of the tables can switch the append-only triggers off: what the hash chain is for.
    editEvent: async (seq, afterJson) => {
      await db.query("ALTER TABLE audit_events DISABLE TRIGGER USER");
      await db.query("UPDATE audit_events SET after_json = $1 WHERE seq = $2", [afterJson, seq]);
      await db.query("ALTER TABLE audit_events ENABLE TRIGGER USER");
    },
    removeEventsFrom: async (fromSeq) => {
      await db.query("ALTER TABLE audit_events DISABLE TRIGGER USER");
      await db.query("DELETE FROM audit_events WHERE seq >= $1", [fromSeq]);
      await db.query("ALTER TABLE audit_events ENABLE TRIGGER USER");
    },
    storeRunData: pgRunDataWriter(db),
    cleanup,
  };
});
