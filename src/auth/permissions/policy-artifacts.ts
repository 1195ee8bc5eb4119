import { normaliseArtifactPath } from "../../artifacts/artifact-path.js";
import type { Capability } from "./permission.js";
import { experiment } from "./requirements.js";
import type { Requirement, Rule, RuleInput } from "./rule.js";
import { raw, type RouteRules } from "./route-key.js";

/**
 * mlflow-artifacts paths: proxied artifacts live under `<experiment id>/...` (the experiment's artifact location is
 * mlflow-artifacts:/<id>, its runs' folders below it, traces and logged models too), so a path belongs to the
 * experiment its first segment names. The path is normalised exactly as the artifact service does (a bad path is the
 * route's own 400). A path outside any experiment's folder, the root listing included, is an administrator's.
 */
const ownerOf = (path: string, field: string, capability: Capability, allowRoot: boolean): Requirement[] => {
  const key = normaliseArtifactPath(path, field, { allowRoot });
  const first = key.split("/", 1)[0] ?? "";
  if (!/^\d{1,19}$/.test(first)) return [{ on: "admin", what: `artifacts outside an experiment's folder ('${key.slice(0, 64)}')` }];
  return [experiment(first, capability)];
};

const wildcardPath = (capability: Capability): Rule => ({
  require: (input: RuleInput) => ownerOf(input.params["*"] ?? "", "artifact_path", capability, false),
});

const listing: Rule = {
  require: (input) => {
    const path = input.query.path;
    return ownerOf(typeof path === "string" ? path : Array.isArray(path) && typeof path[0] === "string" ? path[0] : "", "path", "read", true);
  },
};

const ARTIFACTS = "/api/2.0/mlflow-artifacts";

export const ARTIFACT_RULES: RouteRules = {
  ...raw("GET", `${ARTIFACTS}/artifacts`, listing),
  ...raw("GET", `${ARTIFACTS}/artifacts/*`, wildcardPath("read")),
  ...raw("PUT", `${ARTIFACTS}/artifacts/*`, wildcardPath("update")),
  // Deleting files is MANAGE, as deleting a run is: the attack of issue 12 wiped experiment 0's artifacts this way.
  ...raw("DELETE", `${ARTIFACTS}/artifacts/*`, wildcardPath("delete")),
  ...raw("POST", `${ARTIFACTS}/mpu/create/*`, wildcardPath("update")),
  ...raw("POST", `${ARTIFACTS}/mpu/complete/*`, wildcardPath("update")),
  ...raw("POST", `${ARTIFACTS}/mpu/abort/*`, wildcardPath("update")),
  ...raw("PUT", `${ARTIFACTS}/mpu/upload-part/*`, wildcardPath("update")),
};
