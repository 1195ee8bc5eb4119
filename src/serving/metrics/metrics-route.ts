import type { Registry } from "prom-client";
import type { DomainRoutes } from "../../server/app.js";

/** GET /metrics: the registry in Prometheus' text exposition format, for a scraper. */
export const metricsRoute = (registry: Registry): DomainRoutes => ({
  plugin: (app) => {
    app.get("/metrics", async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  },
});
