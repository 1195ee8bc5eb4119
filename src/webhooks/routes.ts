import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import type { WebhookService } from "./service.js";
import { DELIVERY_STATUSES } from "./store.js";
import { deliveryToWire, webhookToWire } from "./wire.js";


/** webhooks/*: Cairn's own API (below /api/2.0/cairn), thin translations to the WebhookService. */
export const webhookRoutes = (service: WebhookService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "webhooks/create",
    handle: async (fields, context) => {
      const secret = fields.optionalString("secret");
      const active = fields.optionalBoolean("active");
      const created = await service.createWebhook(
        {
          name: fields.requiredString("name"),
          url: fields.requiredString("url"),
          events: fields.stringList("events"),
          ...(secret !== undefined ? { secret } : {}),
          ...(active !== undefined ? { active } : {}),
        },
        context,
      );
      return { webhook: webhookToWire(created.webhook), secret: created.secret };
    },
  },
  {
    methods: ["GET"],
    path: "webhooks/list",
    handle: async () => ({ webhooks: (await service.listWebhooks()).map(webhookToWire) }),
  },
  {
    methods: ["GET"],
    path: "webhooks/get",
    handle: async (fields) => ({ webhook: webhookToWire(await service.getWebhook(fields.requiredString("id"))) }),
  },
  {
    methods: ["POST", "PATCH"],
    path: "webhooks/update",
    handle: async (fields, context) => {
      const name = fields.optionalString("name");
      const url = fields.optionalString("url");
      const active = fields.optionalBoolean("active");
      const webhook = await service.updateWebhook(
        fields.requiredString("id"),
        {
          ...(name !== undefined ? { name } : {}),
          ...(url !== undefined ? { url } : {}),
          ...(fields.has("events") ? { events: fields.stringList("events") } : {}),
          ...(active !== undefined ? { active } : {}),
        },
        context,
      );
      return { webhook: webhookToWire(webhook) };
    },
  },
  {
    methods: ["DELETE"],
    path: "webhooks/delete",
    handle: async (fields, context) => {
      await service.deleteWebhook(fields.requiredString("id"), context);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "webhooks/deliveries",
    handle: async (fields) => {
      const webhookId = fields.optionalText("webhook_id");
      const status = fields.optionalEnum("status", DELIVERY_STATUSES);
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await service.listDeliveries({
        ...(webhookId !== undefined ? { webhookId } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      return {
        deliveries: page.items.map(deliveryToWire),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    },
  },
];
