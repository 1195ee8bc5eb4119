import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { nodeId, type LineageGraphBuilder } from "../../registry/lineage/lineage-graph.js";
import type { LineageContributor } from "../../registry/lineage/lineage-service.js";
import type { Deployment, DeploymentRole, HistoryEntry } from "./deployment.js";

export interface DeploymentLineageReads {
  findByModel(modelName: string): Promise<Deployment[]>;
  history(name: string): Promise<HistoryEntry[]>;
}

const rolesOf = (deployment: Deployment, version: string): DeploymentRole[] => [
  ...(deployment.policy.primary === version ? (["primary"] as const) : []),
  ...(deployment.policy.canary?.version === version ? (["canary"] as const) : []),
  ...(deployment.policy.shadow?.version === version ? (["shadow"] as const) : []),
];

/**
 * Adds to a version's lineage every deployment that serves it now or served it before ("deployed_as" edges), with
 * its current roles and the periods it served from the deployment's history.
 */
export class DeploymentLineage implements LineageContributor {
  constructor(private readonly reads: DeploymentLineageReads) {}

  async contribute(version: ModelVersion, graph: LineageGraphBuilder): Promise<void> {
    for (const deployment of await this.reads.findByModel(version.name)) {
      const history = await this.reads.history(deployment.name);
      const served = history.filter((e) => e.from === version.version || e.to === version.version);
      const roles = rolesOf(deployment, version.version);
      if (roles.length === 0 && served.length === 0) continue;
      const id = graph.addNode({
        id: nodeId.deployment(deployment.name),
        type: "deployment",
        label: deployment.name,
        attributes: {
          model_uri: deployment.modelUri,
          roles,
          switches: served.map((e) => ({ time: e.time, role: e.role, from: e.from ?? null, to: e.to ?? null, reason: e.reason })),
        },
      });
      graph.addEdge(nodeId.modelVersion(version.name, version.version), id, "deployed_as");
    }
  }
}
