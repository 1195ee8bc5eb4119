import { cairnGet } from "../../api/http";
import type { DataVersionRunView, DataVersionView } from "../../../../src/pipelines/server/data-versions-service.js";

/** The data version API as the server writes it (src/pipelines/server/data-versions-service.ts). */
export type { DataVersionRunView, DataVersionView };

export const dataVersionKeys = {
  get: (hash: string, pageSize: number, pageToken: string | undefined) => ["data-versions", hash, pageSize, pageToken ?? ""] as const,
  runs: (hash: string, relation: RunRelation, after: string) => ["data-versions", hash, "runs", relation, after] as const,
};

export type RunRelation = "used" | "produced";
/** The runs route's pages when the first 100 runs (in the version's own answer) are not all. */
export const MORE_RUNS_PAGE = 100;

export const getDataVersionRuns = async (
  hash: string,
  relation: RunRelation,
  pageToken: string,
  signal?: AbortSignal,
): Promise<{ runs: DataVersionRunView[]; nextPageToken: string | undefined }> => {
  const answer = await cairnGet<{ runs?: DataVersionRunView[]; next_page_token?: string }>(
    "data/versions/runs",
    { hash, relation, max_results: MORE_RUNS_PAGE, page_token: pageToken },
    signal,
  );
  return { runs: answer.runs ?? [], nextPageToken: answer.next_page_token || undefined };
};

export const getDataVersion = async (hash: string, pageSize: number, pageToken: string | undefined, signal?: AbortSignal): Promise<DataVersionView> =>
  (await cairnGet<{ data_version: DataVersionView }>("data/versions/get", { hash, max_files: pageSize, page_token: pageToken }, signal)).data_version;
