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
      const routing = this.deps.routing.get(deployment.name)?.routing;
      const served = this.deps.routing.servedWith(deployment.name);
      const inLine =
        routing !== undefined &&
        samePolicy(routedPolicy(routing), deployment.policy) &&
        served !== undefined &&
        sameOptions(served, deployment.options) &&
        !(await this.aliasMoved(deployment));
      await this.deps.queue
        .run(deployment.name, async () => {
          if (inLine) return;
          const current = await this.deps.store.get(deployment.name);
          if (current !== undefined) await this.reconcile(current);
        })
        .catch((error: unknown) => this.deps.onError?.(error, `syncing deployment '${deployment.name}'`));
    }
    const names = new Set(stored.map((deployment) => deployment.name));
    for (const name of this.deps.routing.names()) {
      if (names.has(name)) continue;
      await this.deps.queue.run(name, async () => {
        if (await this.deps.store.get(name)) return;
        await this.deps.routing.drop(name);
      });
    }
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
    const reloaded = (await this.deps.store.get(deployment.name)) ?? deployment;
    await this.deps.routing.change(reloaded, reloaded.policy, [], "load", ctx, { resume }).catch(async (error: unknown) => {
      // The candidates may be what fails; serve the primary alone rather than nothing.
      if (!reloaded.policy.canary && !reloaded.policy.shadow) throw error;
      this.deps.onError?.(error, `loading deployment '${deployment.name}'`);
      await this.deps.routing.slotsFor(reloaded, { primary: reloaded.policy.primary }, "load", ctx).then(({ state }) => {
        for (const slot of this.deps.routing.install(reloaded.name, state, reloaded.options)) void slot.retire();
      });
    });
  }
}
