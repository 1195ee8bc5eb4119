import type { ViewType } from "../../protocol/mlflow/entities.js";
import { UsageError } from "../errors.js";

/** --view as people type it (active|deleted|all) to MLflow's view type. */
export const parseView = (text: string | undefined): ViewType => {
  switch ((text ?? "active").toLowerCase()) {
    case "active":
      return "ACTIVE_ONLY";
    case "deleted":
      return "DELETED_ONLY";
    case "all":
      return "ALL";
    default:
      throw new UsageError(`--view must be one of active, deleted, all; got '${text}'`);
  }
};

/** A positive integer flag value, with a message that names the flag and the limit. */
export const parsePositiveInt = (flag: string, text: string, max: number): number => {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be an integer from 1 to ${max}, got '${text}'`);
  }
  return value;
};
