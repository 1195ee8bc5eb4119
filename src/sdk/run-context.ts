import { userInfo } from "node:os";
import path from "node:path";
import { SystemTag, type RunTag } from "../protocol/mlflow/entities.js";
import { tagList } from "./experiments-api.js";

/**
 * What MLflow's fluent `start_run` records about where a run comes from: the user, and the program that logged it.
 * Tags the caller gives win over these.
 */
export const currentUser = (): string | undefined => {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined; // no passwd entry for this uid (some containers)
  }
};

export const runContextTags = (user: string | undefined, entryPoint: string | undefined = process.argv[1]): RunTag[] => {
  const tags: RunTag[] = [];
  if (user) tags.push({ key: SystemTag.USER, value: user });
  if (entryPoint) {
    tags.push({ key: SystemTag.SOURCE_NAME, value: path.resolve(entryPoint) });
    tags.push({ key: SystemTag.SOURCE_TYPE, value: "LOCAL" });
  }
  return tags;
};

/** Context tags first, then the caller's, so that a caller's value for the same key replaces the default. */
export const withRunContext = (given: RunTag[] | Record<string, string> | undefined, user: string | undefined): RunTag[] => {
  const byKey = new Map<string, string>();
  for (const tag of [...runContextTags(user), ...(tagList(given) ?? [])]) byKey.set(tag.key, tag.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
};
