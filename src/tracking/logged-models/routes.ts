import { normaliseArtifactPath } from "../../artifacts/artifact-path.js";
import type { ArtifactService } from "../../artifacts/service.js";
import { LOGGED_MODEL_STATUSES } from "../../protocol/mlflow/logged-model-entities.js";
import { type Fields, invalidValue, missingValue, SEARCH_IDS } from "../../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import { readKeyValues, readModelOutputs, readRunId } from "../wire-readers.js";
import type { LoggedModelService } from "./logged-model-service.js";
import type { OrderByRequest } from "./search-filter.js";
import type { DatasetScope } from "./store.js";
import { MAX_LOGGED_MODEL_PARAMS_PER_REQUEST, MAX_LOGGED_MODEL_TAGS_PER_REQUEST, MAX_MODEL_LINKS_PER_REQUEST, MAX_SEARCH_DATASETS, MAX_SEARCH_ORDER_BY } from "./validation.js";

const EMPTY = Object.freeze({});


/** Refuses an oversized repeated field before its elements are parsed. */
const bounded = (fields: Fields, field: string, limit: number): void => {
  const count = fields.count(field);
  if (count > limit) throw invalidValue(field, `<${count} elements>`, `at most ${limit} elements are accepted`);
};

const readDatasets = (fields: Fields): DatasetScope[] => {
  bounded(fields, "datasets", MAX_SEARCH_DATASETS);
  return fields.list("datasets", (item) => {
    const datasetDigest = item.optionalText("dataset_digest");
    return { datasetName: item.requiredString("dataset_name"), ...(datasetDigest ? { datasetDigest } : {}) };
  });
};

const readOrderBy = (fields: Fields): OrderByRequest[] => {
  bounded(fields, "order_by", MAX_SEARCH_ORDER_BY);
  return fields.list("order_by", (item) => {
    const ascending = item.optionalBoolean("ascending");
    const datasetName = item.optionalText("dataset_name");
    const datasetDigest = item.optionalText("dataset_digest");
    return {
      fieldName: item.requiredString("field_name"),
      ...(ascending !== undefined ? { ascending } : {}),
      ...(datasetName ? { datasetName } : {}),
      ...(datasetDigest ? { datasetDigest } : {}),
    };
  });
};

/**
 * MLflow 3's logged-model RPCs (service.proto, `since` 2.0, so under /api/2.0/mlflow) and runs/outputs. Thin:
 * fields in, service call, message out. The model id comes from the path when the message lacks it (the tag calls
 * carry it only there).
 */
export const loggedModelEndpoints = (service: LoggedModelService, artifacts: ArtifactService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "logged-models",
    handle: async (fields, context) => {
      bounded(fields, "params", MAX_LOGGED_MODEL_PARAMS_PER_REQUEST);
      bounded(fields, "tags", MAX_LOGGED_MODEL_TAGS_PER_REQUEST);
      const experimentId = fields.requiredString("experiment_id");
      const name = fields.optionalText("name");
      const modelType = fields.optionalText("model_type");
      const sourceRunId = fields.optionalText("source_run_id");
      const model = await service.create(
        {
          experimentId,
          ...(name !== undefined ? { name } : {}),
          ...(modelType !== undefined ? { modelType } : {}),
          ...(sourceRunId !== undefined ? { sourceRunId } : {}),
          params: readKeyValues(fields, "params"),
          tags: readKeyValues(fields, "tags"),
        },
        context,
      );
      return { model };
    },
  },
  {
    methods: ["POST"],
    path: "logged-models/search",
    handle: async (fields) => {
      const filter = fields.optionalText("filter");
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await service.search({
        experimentIds: fields.stringList("experiment_ids", SEARCH_IDS),
        ...(filter !== undefined ? { filter } : {}),
        datasets: readDatasets(fields),
        orderBy: readOrderBy(fields),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      // Protobuf's JSON leaves an empty repeated field out, as MLflow's server answers an empty search.
      return { ...(page.items.length > 0 ? { models: page.items } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  {
    methods: ["GET"],
    path: "logged-models/:model_id",
    handle: async (fields) => ({ model: await service.get(fields.requiredString("model_id")) }),
  },
  {
    methods: ["PATCH"],
    path: "logged-models/:model_id",
    handle: async (fields, context) => {
      // The proto's enum numbers start at 0 (LOGGED_MODEL_STATUS_UNSPECIFIED), so PENDING is 1.
      const status = fields.optionalProtoEnum("status", LOGGED_MODEL_STATUSES, 1);
      if (status === undefined) throw missingValue("status");
      const model = await service.finalize(fields.requiredString("model_id"), status, fields.optionalText("status_message"), context);
      return { model };
    },
  },
  {
    methods: ["DELETE"],
    path: "logged-models/:model_id",
    handle: async (fields, context) => {
      await service.delete(fields.requiredString("model_id"), context);
      return EMPTY;
    },
  },
  {
    methods: ["PATCH"],
    path: "logged-models/:model_id/tags",
    handle: async (fields, context) => {
      bounded(fields, "tags", MAX_LOGGED_MODEL_TAGS_PER_REQUEST);
      // MLflow's server answers an empty SetLoggedModelTags.Response.
      await service.setTags(fields.requiredString("model_id"), readKeyValues(fields, "tags"), context);
      return EMPTY;
    },
  },
  {
    methods: ["DELETE"],
    path: "logged-models/:model_id/tags/:tag_key",
    handle: async (fields, context) => {
      await service.deleteTag(fields.requiredString("model_id"), fields.requiredString("tag_key"), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "logged-models/:model_id/params",
    handle: async (fields, context) => {
      bounded(fields, "params", MAX_LOGGED_MODEL_PARAMS_PER_REQUEST);
      await service.logParams(fields.requiredString("model_id"), readKeyValues(fields, "params"), context);
      return EMPTY;
    },
  },
  {
    methods: ["GET"],
    path: "logged-models/:model_id/artifacts/directories",
    handle: async (fields) => {
      const modelId = fields.requiredString("model_id");
      const path = fields.optionalText("artifact_directory_path");
      // A hostile path is refused before the model is looked up, whatever the model.
      if (path !== undefined) normaliseArtifactPath(path, "artifact_directory_path", { allowRoot: true });
      const model = await service.get(modelId);
      return artifacts.listUnderRoot(model.info.artifact_uri, path, "artifact_directory_path", modelId);
    },
  },
  {
    methods: ["POST"],
    path: "runs/outputs",
    handle: async (fields, context) => {
      bounded(fields, "models", MAX_MODEL_LINKS_PER_REQUEST);
      await service.logOutputs(readRunId(fields), readModelOutputs(fields, "models"), context);
      return EMPTY;
    },
  },
];
