import { invalidParameter } from "../../core/errors.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import { CHECK_NAMES, type CheckName } from "./monitor.js";
import { parseMonitorSpec } from "./monitor-spec.js";
import type { MonitorService } from "./monitor-service.js";
import { alertsToWire, monitorToWire, resultToWire, runToWire } from "./wire.js";


/** monitors/*: Cairn's own API (below /api/2.0/cairn), thin translations to the MonitorService. */
export const monitorRoutes = (service: MonitorService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "monitors/create",
    handle: async (fields, context) => {
      const spec = parseMonitorSpec({
        name: fields.rawValue("name"),
        deployment: fields.rawValue("deployment"),
        window: fields.rawValue("window"),
        schedule_seconds: fields.rawValue("schedule_seconds"),
        checks: fields.rawValue("checks"),
        min_rows: fields.rawValue("min_rows"),
        features: fields.rawValue("features"),
      });
      return { monitor: monitorToWire(await service.create(spec, context)) };
    },
  },
  {
    methods: ["GET"],
    path: "monitors/list",
    handle: async () => ({ monitors: (await service.list()).map(monitorToWire) }),
  },
  {
    methods: ["GET"],
    path: "monitors/get",
    handle: async (fields) => ({ monitor: monitorToWire(await service.get(fields.requiredString("name"))) }),
  },
  {
    methods: ["POST"],
    path: "monitors/run",
    handle: async (fields) => ({ run: runToWire(await service.runNow(fields.requiredString("name"))) }),
  },
  {
    methods: ["GET"],
    path: "monitors/history",
    handle: async (fields) => {
      const feature = fields.optionalString("feature");
      const check = fields.optionalText("check");
      if (check !== undefined && !CHECK_NAMES.includes(check as CheckName)) {
        throw invalidParameter(`Invalid value '${check.slice(0, 100)}' for parameter 'check': expected one of ${CHECK_NAMES.join(", ")}.`);
      }
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const page = await service.history({
        name: fields.requiredString("name"),
        ...(feature !== undefined ? { feature } : {}),
        ...(check !== undefined ? { check: check as CheckName } : {}),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      return { results: page.results.map(resultToWire), ...(page.nextPageToken !== undefined ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  {
    methods: ["GET"],
    path: "monitors/alerts",
    handle: async (fields) => {
      const maxResults = fields.optionalInt64("max_results");
      const pageToken = fields.optionalText("page_token");
      const alerts = await service.alerts({
        name: fields.requiredString("name"),
        ...(maxResults !== undefined ? { maxResults } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      return alertsToWire(alerts);
    },
  },
  {
    methods: ["DELETE", "POST"],
    path: "monitors/delete",
    handle: async (fields, context) => {
      await service.delete(fields.requiredString("name"), context);
      return {};
    },
  },
];
