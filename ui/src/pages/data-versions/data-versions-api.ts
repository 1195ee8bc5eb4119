import { cairnGet } from "../../api/http";
import type { DataVersionRunView, DataVersionView } from "../../../../src/pipelines/server/data-versions-service.js";

/** The data version API as the server writes it (src/pipelines/server/data-versions-service.ts). */
export type { DataVersionRunView, DataVersionView };

export const dataVersionKeys = {
  get: (hash: string, pageSize: number, pageToken: string | undefined) => ["data-versions", hash, pageSize, pageToken ?? ""] as const,
};

export const getDataVersion = async (hash: string, pageSize: number, pageToken: string | undefined, signal?: AbortSignal): Promise<DataVersionView> =>
  (await cairnGet<{ data_version: DataVersionView }>("data/versions/get", { hash, max_files: pageSize, page_token: pageToken }, signal)).data_version;
