export { WebhookService, type WebhookServiceOptions, type NewWebhookInput, type DeliveryListQuery } from "./service.js";
export { webhookRoutes } from "./routes.js";
export { mlflowWebhookRoutes } from "./mlflow-routes.js";
export { signMlflowBody, verifyMlflowSignature, MLFLOW_SIGNATURE_VERSION } from "./mlflow-signature.js";
export { signBody, verifySignature, SIGNATURE_PREFIX } from "./signature.js";
export type { WebhookStore, Webhook, Delivery, DeliveryStatus } from "./store.js";
