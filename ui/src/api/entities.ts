/**
 * The MLflow wire entities, shared with the server and the SDK (type-only: nothing of the server is bundled).
 */
export type {
  Dataset,
  DatasetInput,
  Experiment,
  FileInfo,
  KeyValue,
  LifecycleStage,
  Metric,
  Param,
  Run,
  RunData,
  RunInfo,
  RunInputs,
  RunStatus,
  RunTag,
  ViewType,
} from "../../../src/protocol/mlflow/entities.js";
export type * from "../../../src/protocol/mlflow/registry-entities.js";
export type * from "../../../src/protocol/mlflow/logged-model-entities.js";
