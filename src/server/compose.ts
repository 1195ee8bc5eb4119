import { ArtifactService } from "../artifacts/service.js";
import { artifactRoutes } from "../artifacts/routes.js";
import type { ArtifactStore } from "../artifacts/store.js";
import { AuditService } from "../audit/service.js";
import { auditRoutes } from "../audit/routes.js";
import { governanceRoutes } from "../registry/governance-routes.js";
import { LineageService } from "../registry/lineage/lineage-service.js";
import { ModelCardService } from "../registry/model-cards/model-card-service.js";
import { PromotionService } from "../registry/promotion/promotion-service.js";
import { registryRoutes } from "../registry/routes.js";
import { RegistryService } from "../registry/service.js";
import type { MetadataStores } from "../stores/metadata-stores.js";
import { trackingEndpoints } from "../tracking/routes.js";
import { TrackingService } from "../tracking/service.js";
import { WebhookService } from "../webhooks/service.js";
import { webhookRoutes } from "../webhooks/routes.js";
import type { DomainRoutes } from "./app.js";

/** MLflow's proxy mode: run artifacts live under mlflow-artifacts:/ and travel through this server. */
export const PROXIED_ARTIFACT_ROOT = "mlflow-artifacts:";

export interface ComposedDomains {
  domains: DomainRoutes[];
  /** Background work (webhook deliveries) that runs while the server does. */
  start(): void;
  /** Stops background work; call before the stores close. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  /** Where failures of background work go (the server's logger). */
  onBackgroundError?: (error: unknown, what: string) => void;
}

/**
 * Builds every domain's service over the opened stores and returns their routes: the one place that knows how the
 * domains depend on each other (audit under everything, webhooks as the registry's event sink, governance as its
 * promotion gate and as a follower of renames and deletes).
 */
export const composeDomains = (stores: MetadataStores, artifactStore: ArtifactStore, options: ComposeOptions = {}): ComposedDomains => {
  const audit = new AuditService(stores.audit);
  const tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: PROXIED_ARTIFACT_ROOT, audit });
  const artifacts = new ArtifactService(artifactStore, {
    resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId),
    audit,
  });
  const webhooks = new WebhookService(stores.webhooks, {
    audit,
    ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
  });
  const promotion = new PromotionService(stores.governance, stores.registry, stores.tracking, { audit });
  const registry = new RegistryService(stores.registry, {
    tracking: stores.tracking,
    audit,
    events: webhooks,
    promotion,
    followers: [stores.governance],
  });
  const lineage = new LineageService(stores.registry, stores.tracking);
  const cards = new ModelCardService(stores.governance, stores.registry, stores.tracking, { audit });

  return {
    domains: [
      { endpoints: trackingEndpoints(tracking) },
      artifactRoutes(artifacts),
      { endpoints: registryRoutes(registry) },
      { cairnEndpoints: [...auditRoutes(audit), ...governanceRoutes(promotion, lineage, cards), ...webhookRoutes(webhooks)] },
    ],
    start: () => webhooks.start(),
    stop: () => webhooks.stop(),
  };
};
