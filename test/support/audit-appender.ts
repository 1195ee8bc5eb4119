/**
 * Child process for test/audit-concurrency.test.ts: appends `count` audit events to the database at `file` through
 * its own connection, as a second server process would, then prints DONE.
 */
import { AuditService } from "../../src/audit/service.js";
import { openDatabase } from "../../src/stores/sqlite/open-database.js";
import { SqliteAuditStore } from "../../src/stores/sqlite/sqlite-audit-store.js";

const [file, name, count] = process.argv.slice(2);
if (!file || !name || !count) throw new Error("usage: audit-appender <db file> <actor> <count>");
const db = openDatabase(file);
const audit = new AuditService(new SqliteAuditStore(db));
// Both processes start appending together: each says READY and waits for a line on stdin.
process.stdout.write("READY\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
for (let i = 0; i < Number(count); i++) {
  await audit.record({ actor: { name, verified: false }, requestId: `${name}-${i}` }, {
    action: "tracking.run.log_batch",
    entityType: "run",
    entityId: name,
    after: { metrics: i },
  });
  // A pause after each event, so that the two processes interleave instead of one finishing first.
  await new Promise((resolve) => setTimeout(resolve, 1));
}
db.close();
process.stdout.write("DONE\n");
