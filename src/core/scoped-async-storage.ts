import { AsyncLocalStorage } from "node:async_hooks";

/**
 * An AsyncLocalStorage that is switched on only while a run() is in flight. On Node 20 an enabled AsyncLocalStorage
 * installs promise hooks for the whole process: every promise anyone creates (fastify's request handling, the pg
 * client) pays for carrying the context, about three times the cost of an await in a micro-benchmark and 10 % of
 * the single log-metric rate on SQLite (bench/audit-ingest.ts, "off-als"). The stores that use one (SQLite's audited
 * units, PostgreSQL's transactions) only need it while a unit or transaction runs, so the last run() to finish
 * disables it, and the next run() enables it again (a few microseconds).
 *
 * getStore() answers undefined once disabled: a promise chain that a finished unit left running (a timer, a
 * background loop woken from inside it) sees no unit, which is what every user of a finished unit's context does
 * anyway (SQLite's unit is closed, PostgreSQL's handle inactive).
 */
export class ScopedAsyncStorage<T> {
  private readonly storage = new AsyncLocalStorage<T>();
  private inFlight = 0;

  getStore(): T | undefined {
    return this.storage.getStore();
  }

  /** Runs `work` with `store` as the context of its whole async call chain. */
  async run<R>(store: T, work: () => Promise<R>): Promise<R> {
    this.inFlight += 1;
    try {
      return await this.storage.run(store, work);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.storage.disable();
    }
  }

  /** Runs `work` with no context (for background work started from inside a run). */
  exit<R>(work: () => R): R {
    return this.storage.exit(work);
  }
}
