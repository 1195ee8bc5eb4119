import { invalidValue } from "../../protocol/mlflow/fields.js";
import { MODEL_STAGES, type ModelStage } from "../../protocol/mlflow/registry-entities.js";
import { formatPromotionTarget, type PromotionTarget } from "../promotion-gate.js";

const MAX_ALIAS_LENGTH = 255;

/**
 * Reads "alias:<alias>" or "stage:<Stage>" (the stage in any case, as MLflow's transition-stage accepts it) and
 * returns the target with its canonical spelling, which is the key rules and approvals are stored under.
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
  }
  if (target === undefined) {
    throw invalidValue(
      field,
      text,
      `expected alias:<alias> (at most ${MAX_ALIAS_LENGTH} characters) or stage:<${MODEL_STAGES.join("|")}>`,
    );
  }
  return { target, key: formatPromotionTarget(target) };
};
