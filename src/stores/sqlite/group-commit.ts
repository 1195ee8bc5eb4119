import type { Database, Transaction } from "better-sqlite3";

interface Pending<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for small, frequent writes (trace headers, trace data): the writes that concurrent requests submit
 * within one turn of the event loop share one IMMEDIATE transaction, each in its own savepoint, so that one failing
 * write fails only its own caller. A commit costs more than a few inserts (every touched page goes to the WAL), so
 * under load this multiplies throughput; alone, a write waits one loop turn. Each call resolves once committed.
 */
export class GroupCommit<I, O> {
  private readonly one: Transaction<(item: I) => O>;
  private readonly batch: Transaction<(items: readonly Pending<I, O>[]) => (O | { failed: unknown })[]>;
  private pending: Pending<I, O>[] = [];
  private scheduled = false;

  constructor(
    db: Database,
    write: (item: I) => O,
    private readonly maxPerCommit = 256,
  ) {
    // Nested inside the batch's transaction, better-sqlite3 runs this one as a savepoint.
    this.one = db.transaction(write);
    this.batch = db.transaction((items: readonly Pending<I, O>[]) =>
      items.map((pending) => {
        try {
          return this.one(pending.item);
        } catch (error) {
          return { failed: error };
        }
      }),
    );
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests that arrived in the same I/O phase get to write first.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const items = this.pending.splice(0, this.maxPerCommit);
      let outcomes: (O | { failed: unknown })[];
      try {
        outcomes = this.batch.immediate(items);
      } catch (error) {
        for (const pending of items) pending.reject(error);
        continue;
      }
      items.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome !== null && typeof outcome === "object" && "failed" in outcome) pending.reject(outcome.failed);
        else pending.resolve(outcome as O);
      });
    }
  }
}
