import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import { readMlflowEvent, readMlflowEvents, readMlflowStatus, readWebhookId, testResultToWire, webhookToMlflowWire } from "./mlflow-wire.js";
import type { WebhookService } from "./service.js";

/**
 * MLflow's webhook API (webhooks.proto, served under /api/2.0/mlflow like MLflow 3.3+), over the same WebhookService
 * as Cairn's own API: one queue, one delivery log, one audit trail. Webhooks created here have the "mlflow" format
 * and are the only ones this API shows; Cairn's API (/api/2.0/cairn/webhooks/*) shows every webhook.
 */
export const mlflowWebhookRoutes = (service: WebhookService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "webhooks",
    handle: async (fields, context) => {
      const description = fields.optionalString("description");
      const secret = fields.optionalString("secret");
      const active = readMlflowStatus(fields);
      const created = await service.createWebhook(
        {
          format: "mlflow",
          name: fields.requiredString("name"),
          url: fields.requiredString("url"),
          events: readMlflowEvents(fields, true),
          ...(description !== undefined ? { description } : {}),
          ...(secret !== undefined ? { secret } : {}),
          ...(active !== undefined ? { active } : {}),
        },
        context,
      );
      return { webhook: webhookToMlflowWire(created.webhook) };
    },
  },
  {
    methods: ["GET"],
    path: "webhooks",
    handle: async (fields) => {
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await service.listWebhooksPage({
        format: "mlflow",
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      // MLflow's JSON leaves out an empty repeated field and the token of the last page.
      return {
        ...(page.items.length > 0 ? { webhooks: page.items.map(webhookToMlflowWire) } : {}),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
  {
    methods: ["GET"],
    path: "webhooks/:webhook_id",
    handle: async (fields) => ({ webhook: webhookToMlflowWire(await service.getWebhook(readWebhookId(fields), "mlflow")) }),
  },
  {
    methods: ["PATCH"],
    path: "webhooks/:webhook_id",
    handle: async (fields, context) => {
      const id = readWebhookId(fields);
      const name = fields.optionalString("name");
      const description = fields.optionalString("description");
      const url = fields.optionalString("url");
      const secret = fields.optionalString("secret");
      const active = readMlflowStatus(fields);
      // MLflow's JSON cannot tell an empty repeated field from an absent one: no events means "leave them".
      const events = fields.count("events") > 0 ? readMlflowEvents(fields) : undefined;
      const webhook = await service.updateWebhook(
        id,
        {
          ...(name !== undefined && name !== "" ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(url !== undefined && url !== "" ? { url } : {}),
          ...(events !== undefined ? { events } : {}),
          ...(secret !== undefined ? { secret } : {}),
          ...(active !== undefined ? { active } : {}),
        },
        context,
        "mlflow",
      );
      return { webhook: webhookToMlflowWire(webhook) };
    },
  },
  {
    methods: ["DELETE"],
    path: "webhooks/:webhook_id",
    handle: async (fields, context) => {
      await service.deleteWebhook(readWebhookId(fields), context, "mlflow");
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "webhooks/:webhook_id/test",
    handle: async (fields, context) => {
      const id = readWebhookId(fields);
      const event = fields.optionalObject("event");
      const result = await service.testMlflowWebhook(id, event !== undefined ? readMlflowEvent(event, "event") : undefined, context);
      return { result: testResultToWire(result) };
    },
  },
];
