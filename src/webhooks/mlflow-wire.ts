import { invalidParameter } from "../core/errors.js";
import { invalidValue, missingValue, type Fields } from "../protocol/mlflow/fields.js";
import {
  cairnTypeOfMlflowEvent,
  MLFLOW_WEBHOOK_ACTIONS,
  MLFLOW_WEBHOOK_ENTITIES,
  MLFLOW_WEBHOOK_EVENTS,
  mlflowEventOfCairnType,
  type MlflowWebhookEvent,
} from "./mlflow-events.js";
import type { WebhookTestOutcome } from "./service.js";
import type { Webhook } from "./store.js";

/** Wire shapes of MLflow's webhook API (mlflow/protos/webhooks.proto), as MLflow's server writes them. */

export const MLFLOW_WEBHOOK_STATUSES = ["ACTIVE", "DISABLED"] as const;
export type MlflowWebhookStatus = (typeof MLFLOW_WEBHOOK_STATUSES)[number];

/** A subscription lists each MLflow event at most once; more entries than there are events is not a real request. */
export const MAX_MLFLOW_EVENTS = 100;

/** Webhook ids are the 32 lower-case hex digits Cairn generates; anything else cannot name one. */
const WEBHOOK_ID = /^[0-9a-f]{32}$/;

export const readWebhookId = (fields: Fields): string => {
  const id = fields.requiredString("webhook_id");
  if (!WEBHOOK_ID.test(id)) throw invalidValue("webhook_id", id, "a webhook id is 32 lower-case hexadecimal digits");
  return id;
};

const validActions = (entity: string): string =>
  MLFLOW_WEBHOOK_EVENTS.filter((event) => event.entity === entity)
    .map((event) => `'${event.action.toLowerCase()}'`)
    .join(", ");

/** A WebhookEvent message: entity and action by name or number, and a pair MLflow defines. */
export const readMlflowEvent = (item: Fields, at: string): MlflowWebhookEvent => {
  const entity = item.optionalProtoEnum("entity", MLFLOW_WEBHOOK_ENTITIES, 1);
  if (entity === undefined) throw missingValue(`${at}.entity`);
  const action = item.optionalProtoEnum("action", MLFLOW_WEBHOOK_ACTIONS, 1);
  if (action === undefined) throw missingValue(`${at}.action`);
  const event = { entity, action };
  if (cairnTypeOfMlflowEvent(event) === undefined) {
    // MLflow's message (mlflow/entities/webhook.py, WebhookEvent.__init__), naming the field.
    throw invalidParameter(
      `Invalid action '${action.toLowerCase()}' for entity '${entity.toLowerCase()}' in '${at}'. Valid actions are: [${validActions(entity)}]`,
    );
  }
  return event;
};

/** `events` of Create/UpdateWebhook, as Cairn's event types (the store's vocabulary for both APIs). */
export const readMlflowEvents = (fields: Fields, required = false): string[] => {
  const raw = fields.rawValue("events");
  // An empty list is how MLflow's JSON writes an unset repeated field: as missing as no field at all.
  if (required && (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0))) throw missingValue("events");
  if (fields.count("events") > MAX_MLFLOW_EVENTS) {
    throw invalidValue("events", `<${fields.count("events")} events>`, `at most ${MAX_MLFLOW_EVENTS} are allowed`);
  }
  return fields.list("events", (item) => item).map((item, index) => {
    const event = readMlflowEvent(item, `events[${index}]`);
    return cairnTypeOfMlflowEvent(event) as string;
  });
};

export const readMlflowStatus = (fields: Fields): boolean | undefined => {
  const status = fields.optionalProtoEnum("status", MLFLOW_WEBHOOK_STATUSES, 1);
  return status === undefined ? undefined : status === "ACTIVE";
};

/** The Webhook message; never the secret. Events are spelled back in MLflow's vocabulary. */
export const webhookToMlflowWire = (webhook: Webhook) => ({
  webhook_id: webhook.id,
  name: webhook.name,
  ...(webhook.description ? { description: webhook.description } : {}),
  url: webhook.url,
  events: webhook.events.flatMap((type) => {
    const event = mlflowEventOfCairnType(type);
    return event === undefined ? [] : [{ entity: event.entity, action: event.action }];
  }),
  status: (webhook.active ? "ACTIVE" : "DISABLED") satisfies MlflowWebhookStatus,
  creation_timestamp: webhook.createdTime,
  last_updated_timestamp: webhook.lastUpdatedTime,
});

export const testResultToWire = (outcome: WebhookTestOutcome) => ({
  success: outcome.success,
  ...(outcome.responseStatus !== undefined ? { response_status: outcome.responseStatus } : {}),
  ...(outcome.responseBody !== undefined ? { response_body: outcome.responseBody } : {}),
  ...(outcome.errorMessage !== undefined ? { error_message: outcome.errorMessage } : {}),
});
