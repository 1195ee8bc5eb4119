import type { DeploymentStore } from "./deployment.js";

export interface ChangeWatchDeps {
  store: DeploymentStore;
  /** Resolves when start-up's loads are done: a change heard before waits for them (they would repeat its work). */
  ready: () => Promise<void>;
  syncOne: (name: string) => Promise<void>;
  syncAll: () => Promise<void>;
  stopped: () => boolean;
  onError?: (error: unknown, what: string) => void;
}

/** Longest stop() waits for the listening connection to be set up (the database may be away) before leaving it. */
const STOP_WAIT_MS = 2_000;

/**
 * This replica's ear on the store's change notifications (PostgreSQL's LISTEN cairn_deployments): another replica's
 * create, switch, promote, rollback, alias follow or delete syncs that deployment here at once, so every replica serves
 * the new version within about one model load of the change, not one sync interval. The periodic sync stays as the
 * fallback, and a full sync runs after the listening connection is re-established (notifications may have been
 * missed meanwhile). A name already waiting for its sync is not queued twice.
 */
export class ChangeWatch {
  private watching: Promise<(() => Promise<void>) | undefined> | undefined;
  private readonly pending = new Set<string>();
  private allPending = false;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: ChangeWatchDeps) {}

  start(): void {
    if (!this.deps.store.notifiesChanges || this.watching !== undefined) return;
    this.watching = this.deps.store
      .watchChanges((name) => this.changed(name))
      .catch((error: unknown) => {
        this.deps.onError?.(error, "watching deployment changes");
        return undefined;
      });
  }

  private changed(name: string | undefined): void {
    if (this.deps.stopped()) return;
    if (name === undefined) {
      if (this.allPending) return;
      this.allPending = true;
    } else {
      if (this.pending.has(name)) return;
      this.pending.add(name);
    }
    const work = this.deps
      .ready()
      .then(() => {
        if (name === undefined) {
          this.allPending = false;
          return this.deps.syncAll();
        }
        this.pending.delete(name);
        return this.deps.syncOne(name);
      })
      .catch((error: unknown) => this.deps.onError?.(error, name === undefined ? "syncing deployments" : `syncing deployment '${name}'`))
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** Stops listening and waits for the syncs in progress. */
  async stop(): Promise<void> {
    const watching = this.watching;
    this.watching = undefined;
    if (watching !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STOP_WAIT_MS)));
      const unwatch = await Promise.race([watching, timeout]);
      clearTimeout(timer);
      if (unwatch !== undefined) await unwatch();
      // Still connecting: stop listening whenever it is set up.
      else void watching.then((late) => late?.());
    }
    await Promise.allSettled([...this.running]);
  }
}
