import { invalidValue, type Fields } from "../../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import { decodeOffsetToken } from "../../stores/sql/page-token.js";
import { isObjectHash } from "../data/hash-info.js";
import type { DataVersionRelation } from "./data-versions-store.js";
import { type DataVersionService, MAX_FILES_PER_PAGE, MAX_RUNS_PER_PAGE } from "./data-versions-service.js";

/**
 * Read routes of data versions under /api/2.0/cairn/ (cairnEndpoints): thin, every field parsed here.
 *   GET data/versions/get?hash=H[&max_files=N][&page_token=T]  the version, one page of its files, its first runs
 *   GET data/versions/runs?hash=H&relation=used|produced[&max_results=N][&page_token=T]  further pages of runs
 */
const RELATIONS: readonly DataVersionRelation[] = ["used", "produced"];
const RUNS_DEFAULT = 100;

const readHash = (fields: Fields): string => {
  const hash = fields.requiredString("hash");
  if (!isObjectHash(hash)) throw invalidValue("hash", hash, "expected 64 lowercase hex digits (sha256), with '.dir' for a directory");
  return hash;
};

const readBound = (fields: Fields, field: string, fallback: number, max: number): number => {
  const value = fields.optionalInt64(field) ?? fallback;
  if (value < 1 || value > max) throw invalidValue(field, value, `must be between 1 and ${max}`);
  return value;
};

/** The shared offset token, refused with the field's name (decodePageToken's own message does not name it). */
const readPageToken = (fields: Fields): string | undefined => {
  const token = fields.optionalText("page_token");
  if (token === undefined) return undefined;
  try {
    decodeOffsetToken(token);
  } catch {
    throw invalidValue("page_token", token, "not a page token this server issued");
  }
  return token;
};

const pageRequest = (maxResults: number, pageToken: string | undefined) => (pageToken === undefined ? { maxResults } : { maxResults, pageToken });

export const dataVersionRoutes = (service: DataVersionService): MlflowEndpoint[] => [
  {
    methods: ["GET"],
    path: "data/versions/get",
    handle: async (fields) => {
      const hash = readHash(fields);
      const maxFiles = readBound(fields, "max_files", MAX_FILES_PER_PAGE, MAX_FILES_PER_PAGE);
      return { data_version: await service.get(hash, pageRequest(maxFiles, readPageToken(fields))) };
    },
  },
  {
    methods: ["GET"],
    path: "data/versions/runs",
    handle: async (fields) => {
      const hash = readHash(fields);
      fields.requiredString("relation");
      const relation = fields.optionalEnum("relation", RELATIONS) as DataVersionRelation;
      const maxResults = readBound(fields, "max_results", RUNS_DEFAULT, MAX_RUNS_PER_PAGE);
      const page = await service.runs(hash, relation, pageRequest(maxResults, readPageToken(fields)));
      return { runs: page.items, ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }) };
    },
  },
];
