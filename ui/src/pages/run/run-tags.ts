import type { RunTag } from "../../api/entities";

/** System tags the run's info card already shows, so the tag lists leave them out. */
const SHOWN_ELSEWHERE = new Set(["mlflow.runName", "mlflow.parentRunId", "mlflow.note.content", "mlflow.user", "mlflow.source.name", "mlflow.source.type", "mlflow.source.git.commit"]);

/** Source tags, in the order the info card lists them, with their labels. */
export const SOURCE_TAGS: readonly { key: string; label: string }[] = [
  { key: "mlflow.source.name", label: "Source" },
  { key: "mlflow.source.type", label: "Source type" },
  { key: "mlflow.source.git.commit", label: "Git commit" },
];

export interface GroupedTags {
  /** Tags people set, sorted by key. */
  user: RunTag[];
  /** Other mlflow.* tags (parent run, logged models, notes...), sorted by key, shown folded. */
  system: RunTag[];
}

/** Splits a run's tags into the user's own and MLflow's system tags (mlflow.*), without those shown elsewhere. */
export const groupTags = (tags: readonly RunTag[]): GroupedTags => {
  const byKey = (a: RunTag, b: RunTag): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const user = tags.filter((tag) => !tag.key.startsWith("mlflow.")).sort(byKey);
  const system = tags.filter((tag) => tag.key.startsWith("mlflow.") && !SHOWN_ELSEWHERE.has(tag.key)).sort(byKey);
  return { user, system };
};

export const tagValue = (tags: readonly RunTag[] | undefined, key: string): string | undefined => tags?.find((tag) => tag.key === key)?.value;
