import { RegistryEventType, type DomainEvent } from "../core/events.js";

/**
 * MLflow's webhook event vocabulary (mlflow/protos/webhooks.proto: WebhookEntity x WebhookAction) and the ONE
 * table that maps it to Cairn's event types. Cairn's store keeps subscriptions in Cairn's spelling whatever API
 * created them; the MLflow API and MLflow-format deliveries translate through this table. Cairn-only events
 * (stage.changed, promotion.refused, monitor.*) have no row: they never reach an MLflow-format webhook.
 */
export const MLFLOW_WEBHOOK_ENTITIES = [
  "REGISTERED_MODEL",
  "MODEL_VERSION",
  "MODEL_VERSION_TAG",
  "MODEL_VERSION_ALIAS",
  "PROMPT",
  "PROMPT_VERSION",
  "PROMPT_TAG",
  "PROMPT_VERSION_TAG",
  "PROMPT_ALIAS",
] as const;
export type MlflowWebhookEntity = (typeof MLFLOW_WEBHOOK_ENTITIES)[number];

export const MLFLOW_WEBHOOK_ACTIONS = ["CREATED", "UPDATED", "DELETED", "SET"] as const;
export type MlflowWebhookAction = (typeof MLFLOW_WEBHOOK_ACTIONS)[number];

export interface MlflowWebhookEvent {
  entity: MlflowWebhookEntity;
  action: MlflowWebhookAction;
}

type Payload = Record<string, unknown>;

interface VocabularyRow {
  cairn: string;
  mlflow: MlflowWebhookEvent;
  /** Some Cairn events of a type have no MLflow counterpart (an alias that went away with its version). */
  applies?: (payload: Payload) => boolean;
  /**
   * MLflow's example `data`, sent by the test endpoint (get_example_payload_for_event). Its keys, in order, are also
   * the fields of the real `data` (mlflow/webhooks/types.py), taken from Cairn's payload: one list, not two to agree.
   */
  example: Payload;
}

/** MLflow's `data` for a row: the example's fields, from Cairn's payload (null where Cairn's has none). */
const dataOf = (row: VocabularyRow, payload: Payload): Payload =>
  Object.fromEntries(Object.keys(row.example).map((key) => [key, payload[key] ?? null]));

/** MLflow announces an alias deletion only for delete-alias itself, not for aliases removed with a version or model. */
const explicitAliasDeletion = (payload: Payload): boolean => payload.reason === "alias_deleted";

const TAGS = { example_key: "example_value" };

const VOCABULARY: readonly VocabularyRow[] = [
  {
    cairn: RegistryEventType.REGISTERED_MODEL_CREATED,
    mlflow: { entity: "REGISTERED_MODEL", action: "CREATED" },
    example: { name: "example_model", tags: TAGS, description: "An example registered model" },
  },
  {
    cairn: RegistryEventType.MODEL_VERSION_CREATED,
    mlflow: { entity: "MODEL_VERSION", action: "CREATED" },
    example: {
      name: "example_model",
      version: "1",
      source: "models:/123",
      run_id: "abcd1234abcd5678",
      tags: TAGS,
      description: "An example model version",
    },
  },
  {
    cairn: RegistryEventType.MODEL_VERSION_TAG_SET,
    mlflow: { entity: "MODEL_VERSION_TAG", action: "SET" },
    example: { name: "example_model", version: "1", key: "example_key", value: "example_value" },
  },
  {
    cairn: RegistryEventType.MODEL_VERSION_TAG_DELETED,
    mlflow: { entity: "MODEL_VERSION_TAG", action: "DELETED" },
    example: { name: "example_model", version: "1", key: "example_key" },
  },
  {
    cairn: RegistryEventType.ALIAS_SET,
    mlflow: { entity: "MODEL_VERSION_ALIAS", action: "CREATED" },
    example: { name: "example_model", alias: "example_alias", version: "1" },
  },
  {
    cairn: RegistryEventType.ALIAS_DELETED,
    mlflow: { entity: "MODEL_VERSION_ALIAS", action: "DELETED" },
    applies: explicitAliasDeletion,
    example: { name: "example_model", alias: "example_alias" },
  },
  {
    cairn: RegistryEventType.PROMPT_CREATED,
    mlflow: { entity: "PROMPT", action: "CREATED" },
    example: { name: "example_prompt", tags: TAGS, description: "An example prompt" },
  },
  {
    cairn: RegistryEventType.PROMPT_VERSION_CREATED,
    mlflow: { entity: "PROMPT_VERSION", action: "CREATED" },
    example: { name: "example_prompt", version: "1", template: "Hello {{name}}!", tags: TAGS, description: "An example prompt version" },
  },
  {
    cairn: RegistryEventType.PROMPT_TAG_SET,
    mlflow: { entity: "PROMPT_TAG", action: "SET" },
    example: { name: "example_prompt", key: "example_key", value: "example_value" },
  },
  {
    cairn: RegistryEventType.PROMPT_TAG_DELETED,
    mlflow: { entity: "PROMPT_TAG", action: "DELETED" },
    example: { name: "example_prompt", key: "example_key" },
  },
  {
    cairn: RegistryEventType.PROMPT_VERSION_TAG_SET,
    mlflow: { entity: "PROMPT_VERSION_TAG", action: "SET" },
    example: { name: "example_prompt", version: "1", key: "example_key", value: "example_value" },
  },
  {
    cairn: RegistryEventType.PROMPT_VERSION_TAG_DELETED,
    mlflow: { entity: "PROMPT_VERSION_TAG", action: "DELETED" },
    example: { name: "example_prompt", version: "1", key: "example_key" },
  },
  {
    cairn: RegistryEventType.PROMPT_ALIAS_CREATED,
    mlflow: { entity: "PROMPT_ALIAS", action: "CREATED" },
    example: { name: "example_prompt", alias: "example_alias", version: "1" },
  },
  {
    cairn: RegistryEventType.PROMPT_ALIAS_DELETED,
    mlflow: { entity: "PROMPT_ALIAS", action: "DELETED" },
    applies: explicitAliasDeletion,
    example: { name: "example_prompt", alias: "example_alias" },
  },
];

const byCairn = new Map(VOCABULARY.map((row) => [row.cairn, row]));
const keyOf = (event: MlflowWebhookEvent): string => `${event.entity}.${event.action}`;
const byMlflow = new Map(VOCABULARY.map((row) => [keyOf(row.mlflow), row]));

/** The (entity, action) pairs MLflow accepts, in table order; everything else is refused on create and update. */
export const MLFLOW_WEBHOOK_EVENTS: readonly MlflowWebhookEvent[] = VOCABULARY.map((row) => row.mlflow);

/** Cairn's type of an MLflow event, or undefined for a pair MLflow does not define (e.g. REGISTERED_MODEL.SET). */
export const cairnTypeOfMlflowEvent = (event: MlflowWebhookEvent): string | undefined => byMlflow.get(keyOf(event))?.cairn;

/** MLflow's spelling of a Cairn event type; undefined for Cairn-only types and for "*". */
export const mlflowEventOfCairnType = (type: string): MlflowWebhookEvent | undefined => byCairn.get(type)?.mlflow;

/** What an MLflow-format webhook receives for this event, or undefined when the event has no MLflow counterpart. */
export const mlflowDelivery = (type: string, payload: Payload): { event: MlflowWebhookEvent; data: Payload } | undefined => {
  const row = byCairn.get(type);
  if (row === undefined || (row.applies !== undefined && !row.applies(payload))) return undefined;
  return { event: row.mlflow, data: dataOf(row, payload) };
};

export const isMlflowDeliverable = (event: Pick<DomainEvent, "type" | "payload">): boolean => mlflowDelivery(event.type, event.payload) !== undefined;

/** MLflow's example data for an event (what testWebhook sends). */
export const mlflowExampleData = (event: MlflowWebhookEvent): Payload | undefined => byMlflow.get(keyOf(event))?.example;

/** The envelope's lower-case spelling, as MLflow's Python enums write it ("model_version_alias", "created"). */
export const mlflowEventText = (event: MlflowWebhookEvent): { entity: string; action: string } => ({
  entity: event.entity.toLowerCase(),
  action: event.action.toLowerCase(),
});
