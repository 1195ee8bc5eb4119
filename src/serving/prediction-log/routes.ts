import { type Clock, systemClock } from "../../core/clock.js";
import { invalidParameter } from "../../core/errors.js";
import { Fields, missingValue } from "../../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import type { LabelRecord } from "./records.js";
import type { PredictionLogStore, StoredPrediction } from "./store.js";

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_RESULTS_LIMIT = 1000;
export const MAX_LABELS_PER_BATCH = 1000;
/** A label is ground truth for one request (a class, a value, a small object), not a document. */
export const MAX_LABEL_BYTES = 64 * 1024;

const readLabel = (fields: Fields, path: string, clock: Clock): LabelRecord => {
  const requestId = fields.requiredString("request_id");
  if (requestId.length > 256) throw invalidParameter(`Invalid ${path}request_id: longer than 256 characters (${requestId.length}).`);
  const value = fields.rawValue("label");
  if (value === undefined || value === null) throw missingValue(`${path}label`);
  const label = JSON.stringify(value);
  if (Buffer.byteLength(label) > MAX_LABEL_BYTES) {
    throw invalidParameter(`Invalid ${path}label: ${Buffer.byteLength(label)} bytes of JSON, the limit is ${MAX_LABEL_BYTES}.`);
  }
  return { requestId, label, time: fields.optionalInt64("time") ?? clock() };
};

const predictionToWire = (prediction: StoredPrediction): Record<string, unknown> => ({
  request_id: prediction.requestId,
  deployment: prediction.deployment,
  version: prediction.version,
  time: prediction.time,
  latency_ms: prediction.latencyMs,
  inputs: JSON.parse(prediction.inputs) as unknown,
  outputs: JSON.parse(prediction.outputs) as unknown,
  ...(prediction.label !== undefined
    ? { label: JSON.parse(prediction.label.value) as unknown, label_time: prediction.label.time }
    : {}),
});


/** serving/labels, serving/labels/batch and serving/predictions: Cairn's own API (below /api/2.0/cairn). */
export const predictionLogRoutes = (store: PredictionLogStore, clock: Clock = systemClock): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "serving/labels",
    handle: async (fields) => {
      await store.upsertLabels([readLabel(fields, "", clock)]);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "serving/labels/batch",
    handle: async (fields) => {
      const count = fields.count("labels");
      if (count > MAX_LABELS_PER_BATCH) {
        throw invalidParameter(`Invalid labels: ${count} labels in one batch, the limit is ${MAX_LABELS_PER_BATCH}.`);
      }
      if (count === 0) throw missingValue("labels");
      let index = 0;
      const labels = fields.list("labels", (item) => readLabel(item, `labels[${index++}].`, clock));
      await store.upsertLabels(labels);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "serving/predictions",
    handle: async (fields) => {
      const maxResults = fields.optionalInt64("max_results") ?? DEFAULT_MAX_RESULTS;
      if (maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
        throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results': expected 1 to ${MAX_RESULTS_LIMIT}.`);
      }
      const deployment = fields.optionalText("deployment");
      const version = fields.optionalText("version");
      const since = fields.optionalInt64("since");
      const until = fields.optionalInt64("until");
      const pageToken = fields.optionalText("page_token");
      const page = await store.searchPredictions({
        maxResults,
        ...(deployment !== undefined ? { deployment } : {}),
        ...(version !== undefined ? { version } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      return {
        predictions: page.predictions.map(predictionToWire),
        ...(page.nextPageToken !== undefined ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
];
