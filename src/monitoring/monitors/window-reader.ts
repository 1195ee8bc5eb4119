import type { PredictionLogStore, StoredPrediction } from "../../serving/prediction-log/store.js";
import type { MonitorWindow } from "./monitor.js";

const PAGE = 1000;

/**
 * The predictions of a monitor's window, oldest first. last_seconds reads the time range; last_rows pages through
 * the deployment's log keeping the newest N predictions (each has at least one row: the caller trims to N rows; the
 * log is read oldest first, so this reads the deployment's whole log, which retention bounds).
 */
export const readWindow = async (
  store: PredictionLogStore,
  deployment: string,
  window: MonitorWindow,
  now: number,
): Promise<StoredPrediction[]> => {
  const since = "lastSeconds" in window ? now - window.lastSeconds * 1000 : undefined;
  const keep = "lastRows" in window ? window.lastRows : Number.POSITIVE_INFINITY;
  let kept: StoredPrediction[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchPredictions({
      deployment,
      maxResults: PAGE,
      until: now + 1,
      ...(since !== undefined ? { since } : {}),
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    kept.push(...page.predictions);
    if (kept.length > 2 * keep) kept = kept.slice(kept.length - keep);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return kept.length > keep ? kept.slice(kept.length - keep) : kept;
};
