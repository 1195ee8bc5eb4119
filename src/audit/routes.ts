import { invalidParameter } from "../core/errors.js";
import type { Fields } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { toEventMessage } from "./event.js";
import type { AuditService } from "./service.js";

export const AUDIT_MAX_RESULTS_DEFAULT = 100;
export const AUDIT_MAX_RESULTS_LIMIT = 1000;

const optionalText = (fields: Fields, field: string): string | undefined => fields.optionalString(field) || undefined;

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
      const entityType = optionalText(fields, "entity_type");
      const entityId = optionalText(fields, "entity_id");
      const actor = optionalText(fields, "actor");
      const action = optionalText(fields, "action");
      const startTime = fields.optionalInt64("start_time");
      const endTime = fields.optionalInt64("end_time");
      const pageToken = optionalText(fields, "page_token");
      const page = await service.list({
        ...(entityType ? { entityType } : {}),
        ...(entityId ? { entityId } : {}),
        ...(actor ? { actor } : {}),
        ...(action ? { action } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        maxResults: readMaxResults(fields),
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
    handle: async () => service.verify(),
  },
  {
    methods: ["GET"],
    path: "registered-models/alias-history",
    handle: async (fields) => {
      const alias = optionalText(fields, "alias");
      return { changes: await service.aliasHistory(fields.requiredString("name"), alias) };
    },
  },
];
