import { ARTIFACT_RULES } from "./policy-artifacts.js";
import { CAIRN_RULES, IDENTITY_RULES, PERMISSION_ENDPOINT_RULES } from "./policy-cairn.js";
import { REGISTRY_RULES } from "./policy-registry.js";
import { TRACING_RULES, TRACKING_RULES } from "./policy-tracking.js";
import type { RouteRules } from "./route-key.js";

/**
 * Every route's permission rule, in one table keyed by method and fastify URL. A route missing here is refused to
 * everyone but administrators (deny by default); a test walks every registered route and fails on a missing rule.
 */
export const POLICY_TABLE: RouteRules = {
  ...TRACKING_RULES,
  ...TRACING_RULES,
  ...ARTIFACT_RULES,
  ...REGISTRY_RULES,
  ...CAIRN_RULES,
  ...PERMISSION_ENDPOINT_RULES,
  ...IDENTITY_RULES,
};
