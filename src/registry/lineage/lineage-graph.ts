/** The lineage graph of Cairn's API: typed nodes with stable ids ("<type>:<key>") and directed, named edges. */
export type LineageNodeType =
  | "registered_model"
  | "model_version"
  | "logged_model"
  | "run"
  | "experiment"
  | "dataset"
  | "code"
  | "deployment"
  | "data_version";

/**
 * Read as a sentence from `from` to `to`: a run produced a version, a run used a dataset, a version is a version_of
 * its model, a run was logged_in an experiment, a run was built_from code, a child run is child_of its parent, a
 * version is deployed_as a deployment (serving); MLflow 3: a run produced a logged model, a logged model is
 * registered_as a version, a logged model without a run was logged_in its experiment. Pipelines (issue 13): a run
 * used a data_version (a dependency) or produced one (an output).
 */
export type LineageRelation =
  | "produced"
  | "used"
  | "version_of"
  | "logged_in"
  | "built_from"
  | "child_of"
  | "deployed_as"
  | "registered_as";

export interface LineageNode {
  id: string;
  type: LineageNodeType;
  label: string;
  attributes: Record<string, unknown>;
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: LineageRelation;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Present (true) when a bounded walk (data versions back through the runs that produced them) was cut short. */
  truncated?: boolean;
}

/** Builds a graph without duplicate nodes or edges, keeping insertion order (so responses are deterministic). */
export class LineageGraphBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageEdge>();
  private cut = false;

  get nodeCount(): number {
    return this.nodes.size;
  }

  /** Records that the graph is not whole (a walk hit its bounds); the answer then says truncated: true. */
  markTruncated(): void {
    this.cut = true;
  }

  addNode(node: LineageNode): string {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
    return node.id;
  }

  hasNode(id: string): boolean {
    return this.nodes.has(id);
  }

  /** The node already added under this id (to enrich it when it is met again). */
  getNode(id: string): LineageNode | undefined {
    return this.nodes.get(id);
  }

  addEdge(from: string, to: string, relation: LineageRelation): void {
    const key = JSON.stringify([from, to, relation]);
    if (!this.edges.has(key)) this.edges.set(key, { from, to, relation });
  }

  build(): LineageGraph {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()], ...(this.cut ? { truncated: true } : {}) };
  }
}

export const nodeId = {
  registeredModel: (name: string): string => `registered_model:${name}`,
  modelVersion: (name: string, version: string): string => `model_version:${name}/${version}`,
  run: (runId: string): string => `run:${runId}`,
  loggedModel: (modelId: string): string => `logged_model:${modelId}`,
  experiment: (experimentId: string): string => `experiment:${experimentId}`,
  dataset: (name: string, digest: string): string => `dataset:${name}@${digest}`,
  code: (identity: string): string => `code:${identity}`,
  deployment: (name: string): string => `deployment:${name}`,
  dataVersion: (hash: string): string => `data_version:${hash}`,
};
