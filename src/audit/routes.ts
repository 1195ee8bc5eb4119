import { invalidParameter } from "../core/errors.js";
import type { Fields } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { toEventMessage } from "./event.js";
import type { AuditService } from "./service.js";

export const AUDIT_MAX_RESULTS_DEFAULT = 100;
export const AUDIT_MAX_RESULTS_LIMIT = 1000;


const readMaxResults = (fields: Fields): number => {
  const maxResults = fields.optionalInt64("max_results") ?? AUDIT_MAX_RESULTS_DEFAULT;
  if (maxResults < 1 || maxResults > AUDIT_MAX_RESULTS_LIMIT) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be between 1 and ${AUDIT_MAX_RESULTS_LIMIT}.`,
    );
  }
  return maxResults;
};

/** Cairn's audit API (cairnEndpoints, under /api/2.0/cairn/): query, verify, alias history. */
export const auditRoutes = (service: AuditService): MlflowEndpoint[] => [
  {
    methods: ["GET"],
    path: "audit/events",
    handle: async (fields) => {
      const entityType = fields.optionalText("entity_type");
      const entityId = fields.optionalText("entity_id");
      const actor = fields.optionalText("actor");
      const action = fields.optionalText("action");
      const startTime = fields.optionalInt64("start_time");
      const endTime = fields.optionalInt64("end_time");
      const pageToken = fields.optionalText("page_token");
      const order = fields.optionalText("order") ?? "asc";
      if (order !== "asc" && order !== "desc") {
        throw invalidParameter(`Invalid value '${order.slice(0, 100)}' for parameter 'order': expected 'asc' (oldest first) or 'desc' (newest first).`);
      }
      const page = await service.list({
        ...(entityType ? { entityType } : {}),
        ...(entityId ? { entityId } : {}),
        ...(actor ? { actor } : {}),
        ...(action ? { action } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        maxResults: readMaxResults(fields),
        ...(order === "desc" ? { newestFirst: true } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      return {
        events: page.items.map(toEventMessage),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
  {
    methods: ["GET"],
    path: "audit/verify",
    // Incremental from the last verified checkpoint unless full=true; the checkpoint left records who asked.
    handle: async (fields, context) =>
      service.verify({ ...(fields.optionalBoolean("full") === true ? { full: true } : {}), by: context.actor.name }),
  },
  {
    methods: ["GET"],
    path: "registered-models/alias-history",
    handle: async (fields) => {
      const alias = fields.optionalText("alias");
      return { changes: await service.aliasHistory(fields.requiredString("name"), alias) };
    },
  },
];
