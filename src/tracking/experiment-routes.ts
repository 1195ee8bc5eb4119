import { ORDER_BY_CLAUSES } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { VIEW_TYPES, type Experiment } from "../protocol/mlflow/entities.js";
import type { TrackingService } from "./service.js";
import type { Page } from "./store.js";
import { readKeyValues } from "./wire-readers.js";

const experimentPage = (page: Page<Experiment>) => ({
  experiments: page.items,
  // MLflow omits next_page_token on the last page; clients test for its presence.
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});


/** experiments/*: thin translations between MLflow's request messages and the service. */
export const experimentEndpoints = (service: TrackingService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "experiments/create",
    handle: async (fields, context) => {
      const artifactLocation = fields.optionalText("artifact_location");
      const experimentId = await service.createExperiment(
        {
          name: fields.requiredString("name"),
          ...(artifactLocation ? { artifactLocation } : {}),
          tags: readKeyValues(fields, "tags"),
        },
        context,
      );
      return { experiment_id: experimentId };
    },
  },
  {
    methods: ["GET"],
    path: "experiments/get",
    handle: async (fields) => ({ experiment: await service.getExperiment(fields.requiredString("experiment_id")) }),
  },
  {
    methods: ["GET"],
    path: "experiments/get-by-name",
    handle: async (fields) => ({
      experiment: await service.getExperimentByName(fields.requiredString("experiment_name")),
    }),
  },
  {
    methods: ["GET", "POST"],
    path: "experiments/search",
    handle: async (fields) => {
      const viewType = fields.optionalProtoEnum("view_type", VIEW_TYPES);
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const filter = fields.optionalText("filter");
      const page = await service.searchExperiments({
        ...(viewType ? { viewType } : {}),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken ? { pageToken } : {}),
        ...(filter ? { filter } : {}),
        orderBy: fields.stringList("order_by", ORDER_BY_CLAUSES),
      });
      return experimentPage(page);
    },
  },
  {
    // Removed from MLflow in 2.0; the npm `mlflow` package and other old clients still call it.
    methods: ["GET"],
    path: "experiments/list",
    handle: async (fields) =>
      experimentPage(
        await service.listExperiments(
          fields.optionalProtoEnum("view_type", VIEW_TYPES),
          fields.optionalInt64("max_results"),
          fields.optionalText("page_token"),
        ),
      ),
  },
  {
    methods: ["POST"],
    path: "experiments/update",
    handle: async (fields, context) => {
      await service.renameExperiment(
        fields.requiredString("experiment_id"),
        fields.requiredString("new_name"),
        context,
      );
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/delete",
    handle: async (fields, context) => {
      await service.deleteExperiment(fields.requiredString("experiment_id"), context);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/restore",
    handle: async (fields, context) => {
      await service.restoreExperiment(fields.requiredString("experiment_id"), context);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/set-experiment-tag",
    handle: async (fields, context) => {
      await service.setExperimentTag(
        fields.requiredString("experiment_id"),
        { key: fields.requiredString("key"), value: fields.optionalString("value") ?? "" },
        context,
      );
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/delete-experiment-tag",
    handle: async (fields, context) => {
      await service.deleteExperimentTag(
        fields.requiredString("experiment_id"),
        fields.requiredString("key"),
        context,
      );
      return {};
    },
  },
];
