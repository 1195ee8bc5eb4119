import { invalidValue } from "../../protocol/mlflow/fields.js";
import { MODEL_STAGES, type ModelStage } from "../../protocol/mlflow/registry-entities.js";
import { formatPromotionTarget, type PromotionTarget } from "../promotion-gate.js";

const MAX_ALIAS_LENGTH = 255;

/**
 * A deployment's name (serving validates names by this too): a rule for `deployment:<name>` can only name a
 * deployment that could exist, so rules are not stored under names no deployment can ever have.
 */
export const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads "alias:<alias>", "stage:<Stage>" (the stage in any case, as MLflow's transition-stage accepts it) or
 * "deployment:<name>" (a deployment pinned to a version) and returns the target with its canonical spelling, which
 * is the key rules and approvals are stored under.
 */
export const parsePromotionTarget = (text: string, field = "target"): { target: PromotionTarget; key: string } => {
  const colon = text.indexOf(":");
  const kind = colon < 0 ? "" : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  let target: PromotionTarget | undefined;
  if (kind === "alias" && rest.trim() !== "" && rest.length <= MAX_ALIAS_LENGTH) {
    target = { kind: "alias", alias: rest };
  } else if (kind === "stage") {
    const stage = MODEL_STAGES.find((candidate) => candidate.toLowerCase() === rest.toLowerCase());
    if (stage !== undefined) target = { kind: "stage", stage: stage as ModelStage };
  } else if (kind === "deployment" && DEPLOYMENT_NAME.test(rest)) {
    target = { kind: "deployment", deployment: rest };
  }
  if (target === undefined) {
    throw invalidValue(
      field,
      text,
      `expected alias:<alias> (at most ${MAX_ALIAS_LENGTH} characters), stage:<${MODEL_STAGES.join("|")}> or deployment:<deployment name>`,
    );
  }
  return { target, key: formatPromotionTarget(target) };
};
