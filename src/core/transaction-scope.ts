import { ScopedAsyncStorage } from "./scoped-async-storage.js";

/**
 * The database transaction of the current async call chain, for backends whose stores join a transaction opened
 * further up without passing a connection through every interface (PostgreSQL: see stores/postgres/pg-database.ts).
 *
 * Node carries this context into every timer and promise created inside it. Background loops (webhook dispatch,
 * monitor schedules, deployment sync, flushes) are often woken from inside a request's transaction; without care
 * their next rounds would run on that request's connection. They start their rounds through
 * `outsideTransactions`, and a backend ignores a scope whose transaction has ended.
 */
export interface TransactionHandle {
  /** Who opened it: a backend only joins its own transactions. */
  readonly owner: object;
  /** False once the transaction committed or rolled back. */
  active: boolean;
}

/** Enabled only while a transaction runs (see ScopedAsyncStorage: an always-on one costs every request). */
export const transactionScope = new ScopedAsyncStorage<TransactionHandle>();

/** Runs `work` with no transaction in scope: for background work started from inside a request. */
export const outsideTransactions = <T>(work: () => T): T => transactionScope.exit(work);
