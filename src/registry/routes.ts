import { type Fields, ORDER_BY_CLAUSES } from "../protocol/mlflow/fields.js";
import type { RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import type { Page } from "../tracking/store.js";
import type { RegistrySearchRequest } from "./search-queries.js";
import type { RegistryService } from "./service.js";

/**
 * Every endpoint of MLflow's model_registry.proto that MLflow 2.x serves: thin translations between the request
 * messages and RegistryService. Methods and paths are the proto's (registered-models/update is PATCH, deletes are
 * DELETE with the fields in a JSON body or the query string).
 */
const EMPTY = Object.freeze({});



const readTags = (fields: Fields): RegisteredModelTag[] =>
  fields.list("tags", (item) => ({ key: item.requiredString("key"), value: item.optionalString("value") ?? "" }));

const readSearch = (fields: Fields): RegistrySearchRequest => {
  const filter = fields.optionalText("filter");
  const maxResults = fields.optionalInt64("max_results");
  const pageToken = fields.optionalText("page_token");
  return {
    ...(filter ? { filter } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(pageToken ? { pageToken } : {}),
    orderBy: fields.stringList("order_by", ORDER_BY_CLAUSES),
  };
};

/** MLflow omits next_page_token on the last page; clients test for its presence. */
const paged = <T>(field: string, page: Page<T>): object => ({
  [field]: page.items,
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});

const registeredModelEndpoints = (service: RegistryService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "registered-models/create",
    handle: async (fields, context) => {
      const description = fields.optionalString("description");
      const model = await service.createRegisteredModel(
        {
          name: fields.requiredString("name"),
          ...(description !== undefined ? { description } : {}),
          tags: readTags(fields),
        },
        context,
      );
      return { registered_model: model };
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/rename",
    handle: async (fields, context) => ({
      registered_model: await service.renameRegisteredModel(
        fields.requiredString("name"),
        fields.requiredString("new_name"),
        context,
      ),
    }),
  },
  {
    methods: ["PATCH"],
    path: "registered-models/update",
    handle: async (fields, context) => ({
      registered_model: await service.updateRegisteredModel(
        fields.requiredString("name"),
        fields.optionalString("description"),
        context,
      ),
    }),
  },
  {
    methods: ["DELETE"],
    path: "registered-models/delete",
    handle: async (fields, context) => {
      await service.deleteRegisteredModel(fields.requiredString("name"), context);
      return EMPTY;
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/get",
    handle: async (fields) => ({ registered_model: await service.getRegisteredModel(fields.requiredString("name")) }),
  },
  {
    methods: ["GET"],
    path: "registered-models/search",
    handle: async (fields) => paged("registered_models", await service.searchRegisteredModels(readSearch(fields))),
  },
  {
    methods: ["POST", "GET"],
    path: "registered-models/get-latest-versions",
    handle: async (fields) => ({
      model_versions: await service.getLatestVersions(fields.requiredString("name"), fields.stringList("stages", { maxItems: 10, maxLength: 100 })),
    }),
  },
  {
    methods: ["POST"],
    path: "registered-models/set-tag",
    handle: async (fields, context) => {
      await service.setRegisteredModelTag(
        fields.requiredString("name"),
        { key: fields.requiredString("key"), value: fields.optionalString("value") ?? "" },
        context,
      );
      return EMPTY;
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/delete-tag",
    handle: async (fields, context) => {
      await service.deleteRegisteredModelTag(fields.requiredString("name"), fields.requiredString("key"), context);
      return EMPTY;
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/alias",
    handle: async (fields, context) => {
      await service.setAlias(
        fields.requiredString("name"),
        fields.requiredString("alias"),
        fields.requiredString("version"),
        context,
      );
      return EMPTY;
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/alias",
    handle: async (fields, context) => {
      await service.deleteAlias(fields.requiredString("name"), fields.requiredString("alias"), context);
      return EMPTY;
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/alias",
    handle: async (fields) => ({
      model_version: await service.getModelVersionByAlias(fields.requiredString("name"), fields.requiredString("alias")),
    }),
  },
];

const modelVersionEndpoints = (service: RegistryService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "model-versions/create",
    handle: async (fields, context) => {
      const runId = fields.optionalText("run_id");
      const runLink = fields.optionalText("run_link");
      // MLflow 3: the logged model this version registers (an empty string is proto2's unset, as for run_id).
      const modelId = fields.optionalText("model_id");
      const description = fields.optionalString("description");
      const version = await service.createModelVersion(
        {
          name: fields.requiredString("name"),
          source: fields.requiredString("source"),
          ...(runId !== undefined ? { runId } : {}),
          ...(runLink !== undefined ? { runLink } : {}),
          ...(modelId !== undefined ? { modelId } : {}),
          ...(description !== undefined ? { description } : {}),
          tags: readTags(fields),
        },
        context,
      );
      return { model_version: version };
    },
  },
  {
    methods: ["PATCH"],
    path: "model-versions/update",
    handle: async (fields, context) => ({
      model_version: await service.updateModelVersion(
        fields.requiredString("name"),
        fields.requiredString("version"),
        fields.optionalString("description"),
        context,
      ),
    }),
  },
  {
    methods: ["DELETE"],
    path: "model-versions/delete",
    handle: async (fields, context) => {
      await service.deleteModelVersion(fields.requiredString("name"), fields.requiredString("version"), context);
      return EMPTY;
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/get",
    handle: async (fields) => ({
      model_version: await service.getModelVersion(fields.requiredString("name"), fields.requiredString("version")),
    }),
  },
  {
    methods: ["GET"],
    path: "model-versions/search",
    handle: async (fields) => paged("model_versions", await service.searchModelVersions(readSearch(fields))),
  },
  {
    methods: ["GET"],
    path: "model-versions/get-download-uri",
    handle: async (fields) => ({
      artifact_uri: await service.getModelVersionDownloadUri(fields.requiredString("name"), fields.requiredString("version")),
    }),
  },
  {
    methods: ["POST"],
    path: "model-versions/transition-stage",
    handle: async (fields, context) => ({
      model_version: await service.transitionStage(
        fields.requiredString("name"),
        fields.requiredString("version"),
        fields.requiredString("stage"),
        fields.optionalBoolean("archive_existing_versions") ?? false,
        context,
      ),
    }),
  },
  {
    methods: ["POST"],
    path: "model-versions/set-tag",
    handle: async (fields, context) => {
      await service.setModelVersionTag(
        fields.requiredString("name"),
        fields.requiredString("version"),
        { key: fields.requiredString("key"), value: fields.optionalString("value") ?? "" },
        context,
      );
      return EMPTY;
    },
  },
  {
    methods: ["DELETE"],
    path: "model-versions/delete-tag",
    handle: async (fields, context) => {
      await service.deleteModelVersionTag(
        fields.requiredString("name"),
        fields.requiredString("version"),
        fields.requiredString("key"),
        context,
      );
      return EMPTY;
    },
  },
];

/** Every MLflow model-registry endpoint, for DomainRoutes.endpoints. */
export const registryRoutes = (service: RegistryService): MlflowEndpoint[] => [
  ...registeredModelEndpoints(service),
  ...modelVersionEndpoints(service),
];
