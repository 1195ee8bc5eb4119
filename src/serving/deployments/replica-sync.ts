import { systemContext } from "../../core/actor.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { parseRegisteredModelUri, type ModelUri } from "../../registry/model-uri.js";
import { type Deployment, type DeploymentStore, failureOf } from "./deployment.js";
import type { DeploymentQueue } from "./deployment-queue.js";
import { routedPolicy, sameOptions, samePolicy } from "./deployment-rules.js";
import type { GatedSwitches } from "./gated-switches.js";
import type { RoutingSwitch } from "./routing-switch.js";

export interface ReplicaSyncDeps {
  store: DeploymentStore;
  registry: { resolveModelUri(uri: string | ModelUri): Promise<ModelVersion> };
  routing: RoutingSwitch;
  queue: DeploymentQueue;
  gated: GatedSwitches;
  stopped: () => boolean;
  onError?: (error: unknown, what: string) => void;
}

/**
 * This process in line with the store and the registry: every deployment loaded at start-up (following aliases that
 * moved while the server was down), and on each sync what another replica changed (created, canary, shadow,
 * promote, rollback, deleted) or an alias moved there. A sync also retries what failed to load, so a degraded
 * deployment heals once its version loads.
 */
export class ReplicaSync {
  constructor(private readonly deps: ReplicaSyncDeps) {}

  /** Loads every stored deployment, one after the other. */
  async loadAll(): Promise<void> {
    for (const deployment of await this.deps.store.list()) {
      await this.deps.queue.run(deployment.name, () => this.reconcile(deployment, true)).catch((error: unknown) =>
        this.deps.onError?.(error, `loading deployment '${deployment.name}'`),
      );
    }
  }

  /**
   * What matches is left alone (only its health is assessed again), so a sync in a quiet system reads a few rows
   * and loads nothing.
   */
  async sync(): Promise<void> {
    if (this.deps.stopped()) return;
    const stored = await this.deps.store.list();
    for (const deployment of stored) {
      if (this.deps.stopped()) return;
      await this.syncDeployment(deployment);
    }
    const names = new Set(stored.map((deployment) => deployment.name));
    for (const name of this.deps.routing.names()) {
      if (!names.has(name)) await this.dropIfGone(name);
    }
  }

  /**
   * The sync of one deployment, when the store said it changed (another replica's NOTIFY): created, changed or
   * deleted there, it is loaded, switched or dropped here at once rather than at the next periodic sync.
   */
  async syncOne(name: string): Promise<void> {
    if (this.deps.stopped()) return;
    // The replica that notified is the one making the change (following an alias included, its promote's or
    // rollback's own move among them): this one only loads what the store holds. Following the alias here too would
    // race it (a second switch, history and audit entry of one move) in the moment between its alias move and its
    // stored switch. Moves nobody followed are still caught by the periodic sync.
    // One read, inside the queue (what it reads is current when it acts): this is the path of the 1 s switch, where
    // every round trip on a busy machine counts.
    await this.deps.queue
      .run(name, async () => {
        if (this.deps.stopped()) return;
        const deployment = await this.deps.store.get(name);
        if (deployment === undefined) {
          await this.deps.routing.drop(name);
          return;
        }
        if (this.inLine(deployment)) await this.prepare(deployment);
        else await this.loadStored(deployment, false);
      })
      .catch((error: unknown) => this.deps.onError?.(error, `syncing deployment '${name}'`));
  }

  /**
   * The notification of a deployment that serves what is stored may be another replica's announcement that the alias
   * it follows moved (it is loading the version now): this replica loads that version too, meanwhile, as its standby,
   * so the switch it then hears of swaps without a load. It does not follow the alias itself (see syncOne).
   */
  private async prepare(deployment: Deployment): Promise<void> {
    const uri = parseRegisteredModelUri(deployment.modelUri);
    // A stored load error: the move was followed and its version failed to load (or is being retried by a sync);
    // loading it here too would fail the same way.
    if (uri.kind !== "alias" || deployment.lastError !== undefined) return;
    const current = await this.deps.registry.resolveModelUri(uri).catch(() => undefined);
    if (current === undefined || current.version === deployment.followedVersion) return;
    await this.deps.routing
      .preload(deployment, current.version)
      .catch((error: unknown) => this.deps.onError?.(error, `preloading version ${current.version} of deployment '${deployment.name}'`));
  }

  /** This process serves the stored policy with the stored options. */
  private inLine(deployment: Deployment): boolean {
    const routing = this.deps.routing.get(deployment.name)?.routing;
    const served = this.deps.routing.servedWith(deployment.name);
    return routing !== undefined && samePolicy(routedPolicy(routing), deployment.policy) && served !== undefined && sameOptions(served, deployment.options);
  }

  private async syncDeployment(deployment: Deployment): Promise<void> {
    const inLine = this.inLine(deployment) && !(await this.aliasMoved(deployment));
    await this.deps.queue
      .run(deployment.name, async () => {
        if (inLine) return;
        const current = await this.deps.store.get(deployment.name);
        if (current !== undefined) await this.reconcile(current);
      })
      .catch((error: unknown) => this.deps.onError?.(error, `syncing deployment '${deployment.name}'`));
  }

  private async dropIfGone(name: string): Promise<void> {
    await this.deps.queue.run(name, async () => {
      if (await this.deps.store.get(name)) return;
      await this.deps.routing.drop(name);
    });
  }

  private async aliasMoved(deployment: Deployment): Promise<boolean> {
    const uri = parseRegisteredModelUri(deployment.modelUri);
    if (uri.kind !== "alias") return false;
    const current = await this.deps.registry.resolveModelUri(uri).catch(() => undefined);
    // An alias on a version marked failed here is not followed (health says so): retrying would fail every sync.
    return current !== undefined && current.version !== deployment.followedVersion && failureOf(deployment, current.version) === undefined;
  }

  /**
   * At start-up (and when syncing with another replica's changes): an alias that moved meanwhile is followed;
   * otherwise the stored policy loads with the stored options. At start-up a shadow continues its saved comparison.
   */
  async reconcile(deployment: Deployment, resume = false): Promise<void> {
    const ctx = systemContext(`start:${deployment.name}`);
    const uri = parseRegisteredModelUri(deployment.modelUri);
    if (uri.kind === "alias") {
      const current = await this.deps.registry.resolveModelUri(uri).catch(() => undefined);
      if (current !== undefined && current.version !== deployment.followedVersion && failureOf(deployment, current.version) === undefined) {
        try {
          await this.deps.gated.followAlias(deployment.name, current.version, ctx);
          return;
        } catch (error) {
          this.deps.onError?.(error, `following alias of deployment '${deployment.name}' at start`);
        }
      }
    }
    await this.loadStored((await this.deps.store.get(deployment.name)) ?? deployment, resume);
  }

  /**
   * Serves the stored policy with the stored options. Written back only when it clears a stored load error (what
   * start-up did before): otherwise the row read before the load could replace a change committed meanwhile.
   */
  private async loadStored(reloaded: Deployment, resume: boolean): Promise<void> {
    const ctx = systemContext(`start:${reloaded.name}`);
    const persist = reloaded.lastError !== undefined;
    await this.deps.routing.change(reloaded, reloaded.policy, [], "load", ctx, { resume, persist }).catch(async (error: unknown) => {
      // The candidates may be what fails; serve the primary alone rather than nothing.
      if (!reloaded.policy.canary && !reloaded.policy.shadow) throw error;
      this.deps.onError?.(error, `loading deployment '${reloaded.name}'`);
      await this.deps.routing.slotsFor(reloaded, { primary: reloaded.policy.primary }, "load", ctx).then(({ state }) => {
        for (const slot of this.deps.routing.install(reloaded.name, state, reloaded.options)) void slot.retire();
      });
    });
  }
}
