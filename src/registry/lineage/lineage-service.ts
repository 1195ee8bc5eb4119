import { CairnError, ErrorCode, notFound } from "../../core/errors.js";
import { type Run, SystemTag } from "../../protocol/mlflow/entities.js";
import type { LoggedModel } from "../../protocol/mlflow/logged-model-entities.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { LoggedModelLookup } from "../logged-model-lookup.js";
import type { TrackingStore } from "../../tracking/store.js";
import type { RegistryStore } from "../store.js";
import { type LineageGraph, LineageGraphBuilder, nodeId } from "./lineage-graph.js";
import { type DataVersionRef, dataVersionOfInput } from "../../pipelines/server/data-versions-ref.js";
import type { DataVersionStore } from "../../pipelines/server/data-versions-store.js";

/**
 * Bounds of the walk from a version's run back through data versions and the runs that produced them: 10 data
 * version levels, 500 nodes, 20 producing runs per data version. A cut graph says truncated: true.
 */
export const LINEAGE_DATA_DEPTH = 10;
export const LINEAGE_MAX_NODES = 500;
export const LINEAGE_PRODUCERS_PER_VERSION = 20;

/** Tags MLflow clients set on a run to say which code produced it. */
const SOURCE_TAGS = {
  gitCommit: SystemTag.SOURCE_GIT_COMMIT,
  sourceName: SystemTag.SOURCE_NAME,
  sourceType: SystemTag.SOURCE_TYPE,
  repoUrl: "mlflow.source.git.repoURL",
} as const;

/**
 * The extension point for lineage that lives in other domains: serving adds its deployments of a version here
 * (nodes of type "deployment" with an edge to the version) once it exists. Nothing contributes yet.
 */
export interface LineageContributor {
  contribute(version: ModelVersion, graph: LineageGraphBuilder): Promise<void>;
}

export interface DatasetUsageView {
  runs: Array<{ run_id: string; run_name: string; experiment_id: string; context?: string }>;
  model_versions: Array<{ name: string; version: string; run_id: string }>;
}

export type LineageRegistryReads = Pick<RegistryStore, "getModelVersion" | "findModelVersionsByRunIds">;
export type LineageTrackingReads = Pick<TrackingStore, "getRun" | "getExperiment" | "findRunsByDataset">;

export interface LineageServiceOptions {
  /** Deployments (serving) and later domains plug in here. */
  contributors?: readonly LineageContributor[];
  /** MLflow 3 logged models, for versions registered from one (model_id). Without it they show as bare nodes. */
  loggedModels?: LoggedModelLookup;
  /** Data versions (issue 13): which runs produced a data version, to walk a pipeline back to its first data. */
  dataVersions?: Pick<DataVersionStore, "findDataVersionRuns">;
}

/** Data versions used by the runs added so far, waiting to be walked back to their producers. */
interface DataWalk {
  pending: Array<{ hash: string; depth: number }>;
  seen: Set<string>;
}

const byNameThenVersion = (a: ModelVersion, b: ModelVersion): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.version) - Number(b.version);

/** Read-only views that link a model version back to its run, data and code, and a dataset forward to models. */
export class LineageService {
  private readonly contributors: readonly LineageContributor[];
  private readonly loggedModels: LoggedModelLookup | undefined;
  private readonly dataVersions: LineageServiceOptions["dataVersions"];

  constructor(
    private readonly registry: LineageRegistryReads,
    private readonly tracking: LineageTrackingReads,
    options: LineageServiceOptions = {},
  ) {
    this.contributors = options.contributors ?? [];
    this.loggedModels = options.loggedModels;
    this.dataVersions = options.dataVersions;
  }

  async versionLineage(name: string, version: string): Promise<LineageGraph> {
    const modelVersion = await this.registry.getModelVersion(name, version);
    if (modelVersion === undefined) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    const graph = new LineageGraphBuilder();
    const walk: DataWalk = { pending: [], seen: new Set() };
    const modelId = graph.addNode({ id: nodeId.registeredModel(name), type: "registered_model", label: name, attributes: {} });
    const versionId = graph.addNode({
      id: nodeId.modelVersion(name, version),
      type: "model_version",
      label: `${name} v${version}`,
      attributes: {
        source: modelVersion.source,
        status: modelVersion.status,
        current_stage: modelVersion.current_stage,
        aliases: modelVersion.aliases,
        creation_timestamp: modelVersion.creation_timestamp,
      },
    });
    graph.addEdge(versionId, modelId, "version_of");
    // A version registered from a logged model: run -> logged model -> version (the run's edge goes through the model).
    const logged = modelVersion.model_id ? await this.addLoggedModel(graph, modelVersion.model_id, walk) : undefined;
    if (logged !== undefined) graph.addEdge(logged.id, versionId, "registered_as");
    if (modelVersion.run_id !== undefined && modelVersion.run_id !== "" && modelVersion.run_id !== logged?.sourceRunId) {
      const runId = await this.addRun(graph, modelVersion.run_id, { walk, depth: 0 });
      graph.addEdge(runId, versionId, "produced");
    }
    await this.walkDataBack(graph, walk);
    for (const contributor of this.contributors) await contributor.contribute(modelVersion, graph);
    return graph.build();
  }

  /** Runs that used the dataset (any digest, or one) and the model versions created from those runs. */
  async datasetUsage(name: string, digest?: string): Promise<DatasetUsageView> {
    const usages = await this.tracking.findRunsByDataset(name, digest);
    const runIds = [...new Set(usages.map(({ run }) => run.run_id))];
    const versions = runIds.length === 0 ? [] : await this.registry.findModelVersionsByRunIds(runIds);
    return {
      runs: usages.map(({ run, context }) => ({
        run_id: run.run_id,
        run_name: run.run_name,
        experiment_id: run.experiment_id,
        ...(context === undefined ? {} : { context }),
      })),
      model_versions: [...versions]
        .sort(byNameThenVersion)
        .map((found) => ({ name: found.name, version: found.version, run_id: found.run_id ?? "" })),
    };
  }

  /**
   * The logged model, and the run that produced it (with its datasets and code) or, without a run, its experiment.
   * A model gone from the store (deleted) is kept as a bare node, like a run.
   */
  private async addLoggedModel(graph: LineageGraphBuilder, modelId: string, walk: DataWalk): Promise<{ id: string; sourceRunId?: string }> {
    const id = nodeId.loggedModel(modelId);
    const model = await this.findLoggedModel(modelId);
    if (model === undefined) {
      graph.addNode({ id, type: "logged_model", label: modelId, attributes: { model_id: modelId, found: false } });
      return { id };
    }
    const { info } = model;
    graph.addNode({
      id,
      type: "logged_model",
      label: info.name,
      attributes: {
        model_id: info.model_id,
        name: info.name,
        experiment_id: info.experiment_id,
        status: info.status,
        artifact_uri: info.artifact_uri,
        creation_timestamp_ms: info.creation_timestamp_ms,
        ...(info.model_type ? { model_type: info.model_type } : {}),
        ...(info.source_run_id ? { source_run_id: info.source_run_id } : {}),
      },
    });
    if (info.source_run_id) {
      graph.addEdge(await this.addRun(graph, info.source_run_id, { walk, depth: 0 }), id, "produced");
      return { id, sourceRunId: info.source_run_id };
    }
    await this.addExperiment(graph, id, info.experiment_id);
    return { id };
  }

  private async findLoggedModel(modelId: string): Promise<LoggedModel | undefined> {
    if (this.loggedModels === undefined) return undefined;
    try {
      return await this.loggedModels.getLoggedModel(modelId);
    } catch (error) {
      if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) return undefined;
      throw error;
    }
  }

  /**
   * Breadth first from the data versions the version's run used: each one's producing runs join the graph (with
   * their own data versions, experiment, code and parent), and the data versions those used are walked next, so
   * a model registered at the end of a pipeline names the data at its start. Bounded (see LINEAGE_*).
   */
  private async walkDataBack(graph: LineageGraphBuilder, walk: DataWalk): Promise<void> {
    const store = this.dataVersions;
    if (store === undefined) return;
    for (let next = walk.pending.shift(); next !== undefined; next = walk.pending.shift()) {
      if (next.depth > LINEAGE_DATA_DEPTH || graph.nodeCount >= LINEAGE_MAX_NODES) {
        graph.markTruncated();
        return;
      }
      const producers = await store.findDataVersionRuns(next.hash, "produced", { maxResults: LINEAGE_PRODUCERS_PER_VERSION });
      if (producers.nextPageToken !== undefined) graph.markTruncated();
      for (const { run } of producers.items) {
        if (graph.hasNode(nodeId.run(run.run_id))) continue;
        if (graph.nodeCount >= LINEAGE_MAX_NODES) {
          graph.markTruncated();
          return;
        }
        await this.addRun(graph, run.run_id, { walk, depth: next.depth });
      }
    }
  }

  /** The run with its experiment, datasets, code and parent run; a run gone from the store is kept as a bare node. */
  private async addRun(graph: LineageGraphBuilder, runId: string, data?: { walk: DataWalk; depth: number }): Promise<string> {
    const id = nodeId.run(runId);
    const run = await this.tracking.getRun(runId);
    if (run === undefined) {
      return graph.addNode({ id, type: "run", label: runId, attributes: { run_id: runId, found: false } });
    }
    graph.addNode({ id, type: "run", label: run.info.run_name || runId, attributes: runAttributes(run) });
    await this.addExperiment(graph, id, run.info.experiment_id);
    for (const input of run.inputs.dataset_inputs) {
      const version = dataVersionOfInput(input);
      if (version !== undefined) {
        addDataVersion(graph, id, version);
        if (data !== undefined && version.relation === "used" && !data.walk.seen.has(version.hash)) {
          data.walk.seen.add(version.hash);
          data.walk.pending.push({ hash: version.hash, depth: data.depth + 1 });
        }
        continue;
      }
      const { dataset } = input;
      const context = input.tags.find((tag) => tag.key === SystemTag.DATASET_CONTEXT)?.value;
      const datasetId = graph.addNode({
        id: nodeId.dataset(dataset.name, dataset.digest),
        type: "dataset",
        label: dataset.name,
        attributes: {
          name: dataset.name,
          digest: dataset.digest,
          source_type: dataset.source_type,
          source: dataset.source,
          ...(context === undefined ? {} : { context }),
        },
      });
      graph.addEdge(id, datasetId, "used");
    }
    addCode(graph, id, run);
    const parentRunId = tagValue(run, SystemTag.PARENT_RUN_ID);
    if (parentRunId !== undefined && parentRunId !== runId) {
      const parent = await this.tracking.getRun(parentRunId);
      const parentId = graph.addNode({
        id: nodeId.run(parentRunId),
        type: "run",
        label: parent?.info.run_name || parentRunId,
        attributes: parent === undefined ? { run_id: parentRunId, found: false } : runAttributes(parent),
      });
      graph.addEdge(id, parentId, "child_of");
    }
    return id;
  }

  private async addExperiment(graph: LineageGraphBuilder, fromNodeId: string, experimentId: string): Promise<void> {
    const experiment = await this.tracking.getExperiment(experimentId);
    const id = graph.addNode({
      id: nodeId.experiment(experimentId),
      type: "experiment",
      label: experiment?.name ?? experimentId,
      attributes:
        experiment === undefined
          ? { experiment_id: experimentId, found: false }
          : { experiment_id: experimentId, name: experiment.name, lifecycle_stage: experiment.lifecycle_stage },
    });
    graph.addEdge(fromNodeId, id, "logged_in");
  }
}

/** Paths one data version is listed under in a graph (the same bytes recorded at several paths): at most this many. */
const MAX_DATA_VERSION_NAMES = 20;

/**
 * A data_version node and the run's used/produced edge to it. Content-addressed: the same bytes recorded under two
 * paths (a copied file) are one node, labelled with the first path met and listing every path in `names`.
 */
const addDataVersion = (graph: LineageGraphBuilder, runNodeId: string, version: DataVersionRef): void => {
  const id = nodeId.dataVersion(version.hash);
  const existing = graph.getNode(id);
  if (existing === undefined) {
    graph.addNode({
      id,
      type: "data_version",
      label: version.name,
      attributes: {
        hash: version.hash,
        short_hash: version.hash.slice(0, 12),
        names: [version.name],
        is_dir: version.hash.endsWith(".dir"),
        ...(version.size === undefined ? {} : { size: version.size }),
        ...(version.nfiles === undefined ? {} : { nfiles: version.nfiles }),
      },
    });
  } else {
    const names = existing.attributes.names as string[];
    if (!names.includes(version.name) && names.length < MAX_DATA_VERSION_NAMES) names.push(version.name);
  }
  graph.addEdge(runNodeId, id, version.relation);
};

const tagValue = (run: Run, key: string): string | undefined => run.data.tags.find((tag) => tag.key === key)?.value;

const runAttributes = (run: Run): Record<string, unknown> => ({
  run_id: run.info.run_id,
  run_name: run.info.run_name,
  experiment_id: run.info.experiment_id,
  user_id: run.info.user_id,
  status: run.info.status,
  start_time: run.info.start_time,
  ...(run.info.end_time === undefined ? {} : { end_time: run.info.end_time }),
  lifecycle_stage: run.info.lifecycle_stage,
});

/** The code node: identified by the git commit when there is one (the same commit is one node), else by the source. */
const addCode = (graph: LineageGraphBuilder, runNodeId: string, run: Run): void => {
  const commit = tagValue(run, SOURCE_TAGS.gitCommit);
  const sourceName = tagValue(run, SOURCE_TAGS.sourceName);
  const sourceType = tagValue(run, SOURCE_TAGS.sourceType);
  const repoUrl = tagValue(run, SOURCE_TAGS.repoUrl);
  const identity = commit ?? sourceName;
  if (identity === undefined) return;
  const id = graph.addNode({
    id: nodeId.code(identity),
    type: "code",
    label: commit === undefined ? (sourceName ?? identity) : `${sourceName ?? "commit"} @ ${commit.slice(0, 12)}`,
    attributes: {
      ...(commit === undefined ? {} : { git_commit: commit }),
      ...(repoUrl === undefined ? {} : { git_repo_url: repoUrl }),
      ...(sourceName === undefined ? {} : { source_name: sourceName }),
      ...(sourceType === undefined ? {} : { source_type: sourceType }),
    },
  });
  graph.addEdge(runNodeId, id, "built_from");
};
